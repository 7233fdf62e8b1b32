/**
 * Unlocking the encrypted store with a passkey instead of the password (WebAuthn PRF). Adding one
 * (while unlocked): the browser makes a passkey for this site (user verification required) and
 * evaluates its PRF at a random salt; that 32-byte output wraps the store key in the store header
 * (core/store's PRF wrap, with the credential id and salt in the clear). Unlocking: the header's
 * passkeys are offered to the browser with their salts, and the output the authenticator returns
 * opens the store — no password, no server (nothing is signed for the gateway: the PRF output,
 * which only the authenticator can produce after verifying the user, is the secret). Removing
 * drops the wrap (the passkey itself stays in the authenticator; the browser's settings remove it).
 * The password always still unlocks. Browsers or authenticators without PRF get UnsupportedError
 * with a message saying so. Where it runs: pages of the site in in-page mode, and the extension's
 * own pages (never a page when the extension holds the keys).
 * @example const unlock = await passkeyUnlockSecret(store.prfCredentials()); await store.unlockWithPrf(unlock.secret, unlock.credentialId);
 */
import { equalBytes, toBase64Url, utf8 } from '../bytes.ts';
import { UnsupportedError } from '../errors.ts';
import type { PrfEnrolment } from '../store/index.ts';
import type { EncryptedStore, PrfCredential } from '../store/store.ts';

/** Whether passkey unlock can be offered here, and what to tell the person. */
export interface PasskeyStatus {
  /** `on`: a passkey unlocks this store; `off`: one could be added; `unavailable`: not here. */
  state: 'on' | 'off' | 'unavailable';
  message: string;
}

/** A PRF output that opens the store, and the passkey that gave it. */
export interface PasskeyUnlock {
  credentialId: Uint8Array;
  secret: Uint8Array;
}

const NO_WEBAUTHN =
  'This browser has no passkeys (WebAuthn): unlock with your password. A current Chrome, Edge, Safari or Firefox has them.';
export const NO_PRF_MESSAGE =
  'Your browser or passkey provider cannot unlock RoomKey with a passkey (it lacks the WebAuthn PRF extension). Unlock with your password; a recent Chrome with a platform passkey or a security key that supports hmac-secret can.';

/**
 * RoomKey's own PRF wraps that are not passkeys ("keep this device unlocked", the extension's
 * session cache) have credential ids starting with these bytes; a WebAuthn credential id is random.
 */
const PSEUDO_CREDENTIAL = utf8('roomkey');

/**
 * The passkeys enrolled in a store's header (RoomKey's own pseudo credentials are not).
 * @example const mine = passkeyCredentials(store);
 */
export function passkeyCredentials(store: EncryptedStore): PrfCredential[] {
  return store
    .prfCredentials()
    .filter(
      (c) =>
        c.credentialId.length < PSEUDO_CREDENTIAL.length ||
        !equalBytes(c.credentialId.subarray(0, PSEUDO_CREDENTIAL.length), PSEUDO_CREDENTIAL),
    );
}

/**
 * Whether passkey unlock is on for `store`, could be added, or is unavailable in this browser.
 * @example const { state, message } = await passkeyStatus(store);
 */
export async function passkeyStatus(store: EncryptedStore): Promise<PasskeyStatus> {
  if (!webAuthn()) return { state: 'unavailable', message: NO_WEBAUTHN };
  if (passkeyCredentials(store).length > 0) {
    return {
      state: 'on',
      message: 'A passkey unlocks RoomKey on this device; your password still does too.',
    };
  }
  const capabilities = await (
    PublicKeyCredential as unknown as { getClientCapabilities?: () => Promise<Record<string, boolean>> }
  )
    .getClientCapabilities?.()
    .catch(() => undefined);
  if (capabilities && capabilities['extension:prf'] === false)
    return { state: 'unavailable', message: NO_PRF_MESSAGE };
  return {
    state: 'off',
    message: 'Add a passkey to unlock RoomKey on this device without typing your password.',
  };
}

/**
 * Makes a passkey for this site and enrols its PRF output with the (unlocked) store. UnsupportedError
 * when the browser or authenticator has no PRF (nothing is enrolled then).
 * @example await addPasskey(session.store, { username: session.username });
 */
export async function addPasskey(
  store: EncryptedStore,
  user: { username: string; rpId?: string },
): Promise<PasskeyStatus> {
  await store.addPrf(await createPasskey(user));
  return passkeyStatus(store);
}

/**
 * Makes a passkey and returns its enrolment (credential id, PRF salt and output) for a store held
 * elsewhere (the extension's background adds it). UnsupportedError without PRF.
 * @example await transport.admin('passkeyAdd', encodeEnrolment(await createPasskey({ username })));
 */
export async function createPasskey(user: { username: string; rpId?: string }): Promise<PrfEnrolment> {
  if (!webAuthn()) throw new UnsupportedError(NO_WEBAUTHN);
  const prfSalt = random(32);
  const created = (await navigator.credentials.create({
    publicKey: {
      rp: { name: 'RoomKey', ...(user.rpId ? { id: user.rpId } : {}) },
      user: { id: random(16), name: user.username, displayName: user.username },
      challenge: random(32),
      pubKeyCredParams: [
        { type: 'public-key', alg: -8 },
        { type: 'public-key', alg: -7 },
        { type: 'public-key', alg: -257 },
      ],
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
      extensions: { prf: { eval: { first: prfSalt } } } as AuthenticationExtensionsClientInputs,
    },
  })) as PublicKeyCredential | null;
  if (!created) throw new UnsupportedError('No passkey was made: try again, or keep using your password.');
  const credentialId = new Uint8Array(created.rawId);
  const prf = (
    created.getClientExtensionResults() as { prf?: { enabled?: boolean; results?: { first?: BufferSource } } }
  ).prf;
  if (!prf?.enabled && !prf?.results?.first) throw new UnsupportedError(NO_PRF_MESSAGE);
  // Some authenticators evaluate the PRF only on get: ask once more for this passkey alone.
  const secret = prf.results?.first
    ? bytesOf(prf.results.first)
    : (await passkeyUnlockSecret([{ credentialId, prfSalt }], user.rpId)).secret;
  return { credentialId, prfSalt, secret };
}

/**
 * Asks the browser for one of `credentials` (the store header's passkeys) and returns its PRF
 * output for that passkey's salt. UnsupportedError without WebAuthn or PRF.
 * @example const { secret, credentialId } = await passkeyUnlockSecret(passkeyCredentials(store));
 */
export async function passkeyUnlockSecret(
  credentials: PrfCredential[],
  rpId?: string,
): Promise<PasskeyUnlock> {
  if (!webAuthn()) throw new UnsupportedError(NO_WEBAUTHN);
  if (credentials.length === 0)
    throw new UnsupportedError('No passkey unlocks RoomKey on this device: use your password.');
  const evalByCredential = Object.fromEntries(
    credentials.map((c) => [toBase64Url(c.credentialId), { first: c.prfSalt as Uint8Array<ArrayBuffer> }]),
  );
  const assertion = (await navigator.credentials.get({
    publicKey: {
      challenge: random(32),
      ...(rpId ? { rpId } : {}),
      allowCredentials: credentials.map((c) => ({
        type: 'public-key' as const,
        id: c.credentialId as Uint8Array<ArrayBuffer>,
      })),
      userVerification: 'required',
      extensions: { prf: { evalByCredential } } as AuthenticationExtensionsClientInputs,
    },
  })) as PublicKeyCredential | null;
  if (!assertion) throw new UnsupportedError('No passkey was used: unlock with your password.');
  const first = (assertion.getClientExtensionResults() as { prf?: { results?: { first?: BufferSource } } })
    .prf?.results?.first;
  if (!first) throw new UnsupportedError(NO_PRF_MESSAGE);
  return { credentialId: new Uint8Array(assertion.rawId), secret: bytesOf(first) };
}

/**
 * Removes every passkey wrap from the (unlocked) store; the password still unlocks it.
 * @example await removePasskeys(session.store);
 */
export async function removePasskeys(store: EncryptedStore): Promise<PasskeyStatus> {
  for (const { credentialId } of passkeyCredentials(store)) await store.removePrf(credentialId);
  return passkeyStatus(store);
}

function webAuthn(): boolean {
  return (
    typeof PublicKeyCredential !== 'undefined' && typeof navigator !== 'undefined' && !!navigator.credentials
  );
}

function random(n: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(n));
}

function bytesOf(source: BufferSource): Uint8Array {
  return source instanceof ArrayBuffer
    ? new Uint8Array(source.slice(0))
    : new Uint8Array(source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength));
}
