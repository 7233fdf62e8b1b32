/**
 * Errors specific to the encrypted store, in the RoomKeyError hierarchy of core/errors.ts.
 * @example try { await EncryptedStore.open(backend) } catch (e) { if (e instanceof StoreNotFoundError) offerCreate() }
 */
import { InternalError, NotFoundError, WrongPassphraseError } from '../errors.ts';

/**
 * The backend holds no store yet (no header): create one first.
 * @example if (e instanceof StoreNotFoundError) await EncryptedStore.create(backend, passphrase);
 */
export class StoreNotFoundError extends NotFoundError {
  constructor(
    message = 'No RoomKey store here yet: create one with EncryptedStore.create(), or open the right location.',
  ) {
    super(message);
  }
}

/**
 * The storage underneath (disk, IndexedDB) failed; the cause says why. Nothing was decrypted.
 * @example if (e instanceof StoreIoError) showRetry(e.message);
 */
export class StoreIoError extends InternalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The authenticator (WebAuthn PRF) secret opens none of the store's PRF wraps. A WrongPassphraseError,
 * so one `instanceof` covers every failed unlock.
 * @example if (e instanceof WrongPrfSecretError) askForPassphrase();
 */
export class WrongPrfSecretError extends WrongPassphraseError {
  constructor() {
    super();
    this.message =
      'This authenticator does not unlock the store (no enrolled authenticator matches): unlock with the passphrase instead.';
  }
}
