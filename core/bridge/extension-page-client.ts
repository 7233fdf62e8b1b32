/**
 * `ExtensionPageClient`: the BridgeClient of the extension's own pages (its room tab, its verify
 * window), which may also change a contact's trust — verify, take back, accept a key change. The
 * background does these for extension callers only (CONTACT_TRUST_METHODS); a site's client is a
 * plain BridgeClient, whose elements ask for the extension's window instead (`openVerifyContact`).
 * @example const client = new ExtensionPageClient(portTransport); await client.verifyContact(bobId);
 */
import type { ContactView } from '../client/contacts.ts';
import { BridgeClient } from './bridge-client.ts';

export class ExtensionPageClient extends BridgeClient {
  /**
   * Marks a contact verified: `scanned` is their QR's text or the typed digits, none when the user
   * confirmed that both screens show the same number.
   * @example await client.verifyContact(bobId, 'roomkey-safety:v1:…');
   */
  verifyContact(userId: string, scanned?: string): Promise<ContactView> {
    return this.request('verifyContact', { userId, scanned: scanned ?? null });
  }
  /** @example await client.unverifyContact(bobId); */
  unverifyContact(userId: string): Promise<ContactView> {
    return this.request('unverifyContact', { userId });
  }
  /** @example await client.acceptKeyChange(bobId); */
  acceptKeyChange(userId: string): Promise<ContactView> {
    return this.request('acceptKeyChange', { userId });
  }
}
