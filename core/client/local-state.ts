/**
 * What a session keeps on the device, all inside core/store's EncryptedStore (every value and key
 * name encrypted; the store key wrapped by the account password with Argon2id): the user and
 * device keys (LocalIdentity), the directory's pins, and each room's snapshot (chain, epoch
 * secrets, held envelopes, replay position; its replay ids in chunk records: room-snapshots.ts,
 * so a save writes what changed, not the room's history). The password the user signs in with also unlocks
 * this store, so one secret opens both; a password change elsewhere needs a sign-in again.
 * The store's manifest makes a removed or rolled-back record (the pins above all: without them
 * every key would be trusted on first use again) a StoreIntegrityError at open, never a silent reset.
 * @example const state = await LocalState.open(backend, password); const me = await state.identity();
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { fromUtf8, utf8 } from '../bytes.ts';
import { decode } from '../codec.ts';
import { hpkePublicKey, signingPublicKey, type UserKeys } from '../crypto/index.ts';
import { MalformedError } from '../errors.ts';
import type { LocalMember, Room } from '../room/index.ts';
import type { StoreBackend } from '../store/backend.ts';
import type { Argon2Params } from '../store/params.ts';
import { EncryptedStore } from '../store/store.ts';
import type { DirectoryPins } from './gateway-directory.ts';
import { RoomSnapshots } from './room-snapshots.ts';

const IDENTITY = 'identity';
const PINS = 'directory-pins';

/**
 * The user and device keys of a stored identity as a room member (public halves derived here).
 * MalformedError when the identity body is missing or does not decode.
 * @example const me = localMember((await state.identity())!);
 */
export function localMember(stored: roomkey.v1.LocalIdentity): LocalMember & { userKeys: UserKeys } {
  const { userId } = decode(v1.UserIdentityBody, stored.identity?.body as Uint8Array, 'identity');
  return {
    userId,
    userKeys: {
      signingSecretKey: stored.signingSecret,
      signingPublicKey: signingPublicKey(stored.signingSecret),
      hpkePrivateKey: stored.hpkeSecret,
      hpkePublicKey: hpkePublicKey(stored.hpkeSecret),
    },
    device: { secretKey: stored.deviceSecret, publicKey: signingPublicKey(stored.deviceSecret) },
  };
}

/**
 * The device's encrypted state (identity, pins, room snapshots).
 * @example const state = await LocalState.create(backend, password); await state.setIdentity(identity);
 */
export class LocalState {
  readonly store: EncryptedStore;
  readonly #rooms: RoomSnapshots;

  private constructor(store: EncryptedStore) {
    this.store = store;
    this.#rooms = new RoomSnapshots(store);
  }

  /** The state in a store that is already open and unlocked (e.g. by a device-unlock key). */
  static of(store: EncryptedStore): LocalState {
    return new LocalState(store);
  }

  /** A new store (ConflictError when the backend already holds one). */
  static async create(backend: StoreBackend, password: string, params?: Argon2Params): Promise<LocalState> {
    return new LocalState(await EncryptedStore.create(backend, password, params));
  }

  /**
   * Opens and unlocks the store (WrongPassphraseError for another password; StoreIntegrityError,
   * whose message tells the person what to do, when records were removed or put back outside RoomKey).
   */
  static async open(backend: StoreBackend, password: string): Promise<LocalState> {
    const store = await EncryptedStore.open(backend);
    await store.unlock(password);
    return new LocalState(store);
  }

  static exists(backend: StoreBackend): Promise<boolean> {
    return EncryptedStore.exists(backend);
  }

  /** Removes every record of the store (sign-out on this device); see EncryptedStore.destroy. */
  static async wipe(backend: StoreBackend): Promise<void> {
    await EncryptedStore.destroy(backend);
  }

  async identity(): Promise<roomkey.v1.LocalIdentity | undefined> {
    return this.store.getMessage(IDENTITY, v1.LocalIdentity);
  }

  async setIdentity(identity: roomkey.v1.LocalIdentity.$Properties): Promise<void> {
    await this.store.setMessage(IDENTITY, v1.LocalIdentity, identity);
  }

  /** The directory's pins; StoreIntegrityError when the store lists them and they are gone. */
  async pins(): Promise<DirectoryPins | undefined> {
    const bytes = await this.store.get(PINS);
    if (!bytes) return undefined;
    try {
      const pins = JSON.parse(fromUtf8(bytes, 'directory pins')) as DirectoryPins;
      if (typeof pins?.users !== 'object' || typeof pins?.usernames !== 'object') throw new Error('shape');
      return pins;
    } catch (cause) {
      throw new MalformedError('directory pins: damaged', { cause });
    }
  }

  async setPins(pins: DirectoryPins): Promise<void> {
    await this.store.set(PINS, utf8(JSON.stringify(pins)));
  }

  /** The room's snapshot, its replay ids read back (StoreIntegrityError when a chunk is gone). */
  room(roomId: string): Promise<roomkey.v1.RoomSnapshot | undefined> {
    return this.#rooms.load(roomId);
  }

  /** Saves a room: given the Room, only what changed since the last save; given bytes, whole. */
  async setRoom(roomId: string, snapshot: Uint8Array | Room): Promise<void> {
    if (snapshot instanceof Uint8Array) await this.#rooms.saveWhole(roomId, snapshot);
    else await this.#rooms.save(snapshot);
  }

  lock(): void {
    this.store.lock();
  }
}
