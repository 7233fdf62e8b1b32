/**
 * Keeps the store unlocked across a stopped-and-restarted MV3 service worker without keeping the
 * passphrase: on unlock, a random 32-byte session secret is enrolled as one more key wrap in the
 * store header (core/store's PRF wrap, under a credential id marked as ours), and the secret sits
 * only in `storage.session` (memory, never on disk, not readable by content scripts). A restarted
 * worker unlocks with it (HKDF, no Argon2id); lock and sign-out remove the wrap and the secret.
 * Once the browser closes the secret is gone and the leftover wrap opens nothing; the next unlock
 * removes it. Where the background never stops (Firefox's persistent page) the store simply stays
 * unlocked in memory: `MemoryUnlockCache`.
 * @example const cache = new SessionUnlockCache(browser.storage.session); if (await cache.restore(store)) ready();
 */
import { equalBytes, fromBase64Url, toBase64Url, utf8 } from '../../core/bytes.ts';
import { randomBytes } from '../../core/crypto/index.ts';
import { WrongPassphraseError } from '../../core/errors.ts';
import type { EncryptedStore, StorageAreaLike } from '../../core/store/index.ts';

/** What survives a restart of the background, if anything. */
export interface UnlockCache {
  /** After an unlock: make the next start of the background find the store unlocked. */
  remember(store: EncryptedStore): Promise<void>;
  /** At start: unlock `store` if this browser session remembered it; true when it did. */
  restore(store: EncryptedStore): Promise<boolean>;
  /** Before locking (the store still unlocked) or after wiping: forget. */
  forget(store: EncryptedStore | undefined): Promise<void>;
}

/** Nothing survives: the background keeps the unlocked store in memory for its whole life. */
export class MemoryUnlockCache implements UnlockCache {
  async remember(): Promise<void> {}
  async restore(): Promise<boolean> {
    return false;
  }
  async forget(): Promise<void> {}
}

const KEY = 'roomkey:unlock';
/** Credential ids of session wraps start with this, so stale ones can be found and removed. */
const MARK = utf8('roomkey-extension-session\0');

const isSessionWrap = (credentialId: Uint8Array): boolean =>
  credentialId.length > MARK.length && equalBytes(credentialId.subarray(0, MARK.length), MARK);

/** The session secret in `storage.session` (see the file comment). */
export class SessionUnlockCache implements UnlockCache {
  readonly #area: StorageAreaLike;

  constructor(area: StorageAreaLike) {
    this.#area = area;
  }

  async remember(store: EncryptedStore): Promise<void> {
    await this.#removeWraps(store);
    const credentialId = new Uint8Array([...MARK, ...randomBytes(16)]);
    const secret = randomBytes(32);
    await store.addPrf({ credentialId, prfSalt: randomBytes(32), secret });
    await this.#area.set({ [KEY]: { credentialId: toBase64Url(credentialId), secret: toBase64Url(secret) } });
    secret.fill(0);
  }

  async restore(store: EncryptedStore): Promise<boolean> {
    const saved = (await this.#area.get(KEY))[KEY] as
      | { credentialId?: unknown; secret?: unknown }
      | undefined;
    if (typeof saved?.credentialId !== 'string' || typeof saved.secret !== 'string') return false;
    const secret = fromBase64Url(saved.secret);
    try {
      await store.unlockWithPrf(secret, fromBase64Url(saved.credentialId));
      return true;
    } catch (error) {
      if (!(error instanceof WrongPassphraseError)) throw error;
      await this.#area.remove(KEY);
      return false;
    } finally {
      secret.fill(0);
    }
  }

  async forget(store: EncryptedStore | undefined): Promise<void> {
    await this.#area.remove(KEY);
    if (store && !store.isLocked) await this.#removeWraps(store);
  }

  async #removeWraps(store: EncryptedStore): Promise<void> {
    for (const { credentialId } of store.prfCredentials()) {
      if (isSessionWrap(credentialId)) await store.removePrf(credentialId);
    }
  }
}
