/**
 * Contacts: whether this user checked each other user's keys (safety numbers, core/crypto
 * safety-number.ts) and what happened to those keys since. Kept in the encrypted store (record
 * `contacts`): for each verified user the exact keys that were verified, and each key change the
 * directory refused and the person has not reviewed yet. So:
 * - `verified` holds only while the directory's pinned keys are the verified ones: a key change
 *   accepted later makes the contact `unverified`, never silently `verified`;
 * - `key-changed`: the gateway answered with another key; nothing from it is accepted
 *   (gateway-directory.ts) until the person accepts it (`acceptKeyChange`) or verifies the new
 *   safety number (scanning the contact's QR, or confirming that the numbers match).
 * @example const [bob] = await contacts.views([bobId]); if (bob.trust === 'key-changed') warn(bob.username);
 */
import { fromUtf8, toHex, utf8 } from '../bytes.ts';
import { parseSafetyNumber, type SafetyNumber, safetyNumber, type UserIdentity } from '../crypto/index.ts';
import { BadSignatureError, MalformedError, NotFoundError } from '../errors.ts';
import type { EncryptedStore } from '../store/store.ts';
import type { GatewayDirectory, KeyChange } from './gateway-directory.ts';

const RECORD = 'contacts';

/** How far this user trusts a contact's keys. */
export type ContactTrust = 'verified' | 'unverified' | 'key-changed';

/**
 * A contact as an element shows it. `safetyNumber` is the number of this user and the contact's
 * current keys — for `key-changed`, of the new keys, which the person reviews before accepting.
 */
export interface ContactView {
  userId: string;
  username: string;
  trust: ContactTrust;
  safetyNumber: SafetyNumber | null;
  /** When this device first saw the key change (key-changed only). */
  changedAtMs?: number;
}

interface StoredChange {
  username: string;
  previousKey: string;
  newKey: string;
  seenAtMs: number;
}

interface ContactsRecord {
  /** userId → `signingKeyHex:hpkeKeyHex` that the person verified. */
  verified: Record<string, string>;
  changes: Record<string, StoredChange>;
}

export interface ContactsOptions {
  store: EncryptedStore;
  directory: GatewayDirectory;
  /** This user (the other half of every safety number). */
  me: () => Promise<UserIdentity>;
  /** Called with the user ids whose state changed (a key change seen, verified, accepted). */
  onChange?: (userIds: string[]) => void;
  now?: () => number;
}

const keysOf = (identity: UserIdentity) => `${toHex(identity.signingKey)}:${toHex(identity.hpkeKey)}`;

/**
 * The verification state of this user's contacts (see the top of this file).
 * @example const contacts = new Contacts({ store, directory, me: () => directory.identity(myId) });
 */
export class Contacts {
  readonly #options: ContactsOptions;
  #record: Promise<ContactsRecord> | undefined;

  constructor(options: ContactsOptions) {
    this.#options = options;
    const previous = options.directory.onKeyChange;
    options.directory.onKeyChange = (change) => {
      previous?.(change);
      void this.#noteChange(change).catch(() => undefined);
    };
  }

  /**
   * The contacts `userIds` as they stand now: each identity asked from the gateway again, so a key
   * change is found when a room is opened, not only when the contact next sends.
   * @example const views = await contacts.views(room.members.map((m) => m.userId));
   */
  async views(userIds: readonly string[]): Promise<ContactView[]> {
    return Promise.all(userIds.map((userId) => this.view(userId)));
  }

  /**
   * One contact as it stands now (see `views`). NotFoundError when the gateway knows no such user.
   * @example const bob = await contacts.view(bobId);
   */
  async view(userId: string): Promise<ContactView> {
    const { directory } = this.#options;
    let identity: UserIdentity | undefined;
    try {
      identity = await directory.refresh(userId);
    } catch (error) {
      if (!(error instanceof BadSignatureError)) throw error;
    }
    const record = await this.#load();
    const change = directory.keyChanges().find((c) => c.userId === userId);
    const stored = record.changes[userId];
    if (change || (stored && !identity)) {
      const shown = change?.identity;
      return {
        userId,
        username: shown?.username ?? stored?.username ?? userId,
        trust: 'key-changed',
        safetyNumber: shown ? await this.#number(shown) : null,
        changedAtMs: stored?.seenAtMs ?? this.#now(),
      };
    }
    if (!identity) throw new NotFoundError(`No identity for user ${userId}.`);
    if (stored) await this.#save((r) => delete r.changes[userId]); // the gateway went back to the pinned key
    return {
      userId,
      username: identity.username,
      trust: record.verified[userId] === keysOf(identity) ? 'verified' : 'unverified',
      safetyNumber: await this.#number(identity),
    };
  }

  /**
   * Marks a contact verified. `scanned` is the text of the contact's safety-number QR (or the
   * number typed): it must equal the number computed here, else BadSignatureError and nothing is
   * marked. Without it the person confirmed that both screens show the same number. For a contact
   * whose key changed, verifying the new number also accepts the new key.
   * @example await contacts.verify(bobId, scannedQrText);
   */
  async verify(userId: string, scanned?: string): Promise<ContactView> {
    const before = await this.view(userId);
    if (!before.safetyNumber)
      throw new NotFoundError(`No keys to verify for ${before.username}: try again online.`);
    if (scanned !== undefined && parseSafetyNumber(scanned) !== before.safetyNumber.digits) {
      throw new BadSignatureError(
        `That is not the safety number of you and ${before.username}: their keys or yours differ from what this device sees. Do not mark ${before.username} verified; compare again in person.`,
      );
    }
    const identity =
      before.trust === 'key-changed' ? this.#accept(userId) : await this.#options.directory.identity(userId);
    await this.#save((r) => {
      r.verified[userId] = keysOf(identity);
      delete r.changes[userId];
    });
    this.#options.onChange?.([userId]);
    return this.view(userId);
  }

  /**
   * Takes back a verification.
   * @example await contacts.unverify(bobId);
   */
  async unverify(userId: string): Promise<ContactView> {
    await this.#save((r) => delete r.verified[userId]);
    this.#options.onChange?.([userId]);
    return this.view(userId);
  }

  /**
   * The person reviewed a key change and accepts the new key without verifying it: the contact
   * becomes `unverified` (a verification of the old key never carries over).
   * @example await contacts.acceptKeyChange(bobId);
   */
  async acceptKeyChange(userId: string): Promise<ContactView> {
    await this.view(userId); // finds the change again after a restart
    this.#accept(userId);
    await this.#save((r) => {
      delete r.verified[userId];
      delete r.changes[userId];
    });
    this.#options.onChange?.([userId]);
    return this.view(userId);
  }

  #accept(userId: string): UserIdentity {
    const change = this.#options.directory.keyChanges().find((c) => c.userId === userId);
    if (!change) throw new NotFoundError('No key change is pending for this contact.');
    return this.#options.directory.acceptKeyChange(userId, toHex(change.identity.signingKey));
  }

  async #number(identity: UserIdentity): Promise<SafetyNumber> {
    return safetyNumber(await this.#options.me(), identity);
  }

  async #noteChange(change: KeyChange): Promise<void> {
    const newKey = toHex(change.identity.signingKey);
    const stored = (await this.#load()).changes[change.userId];
    if (stored?.newKey === newKey) return;
    await this.#save((r) => {
      r.changes[change.userId] = {
        username: change.username,
        previousKey: change.previousKey,
        newKey,
        seenAtMs: this.#now(),
      };
    });
    this.#options.onChange?.([change.userId]);
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  #load(): Promise<ContactsRecord> {
    this.#record ??= (async () => {
      const bytes = await this.#options.store.get(RECORD);
      if (!bytes) return { verified: {}, changes: {} };
      try {
        const record = JSON.parse(fromUtf8(bytes, 'contacts')) as ContactsRecord;
        if (typeof record?.verified !== 'object' || typeof record?.changes !== 'object')
          throw new Error('shape');
        return record;
      } catch (cause) {
        throw new MalformedError('contacts: the stored record is damaged', { cause });
      }
    })();
    this.#record.catch(() => (this.#record = undefined));
    return this.#record;
  }

  /** Changes the record and writes it (one at a time: each change reads the last written). */
  async #save(change: (record: ContactsRecord) => void): Promise<void> {
    const record = await this.#load();
    change(record);
    await this.#options.store.set(RECORD, utf8(JSON.stringify(record)));
  }
}
