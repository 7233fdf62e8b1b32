/**
 * Pairing, the NEW device's side: it makes a one-shot offer (channel id, ephemeral X25519 key,
 * device key, 2-minute expiry) to show as a QR code, opens the channel at the gateway on the login
 * credential, and waits. When an old device says hello it shows the confirmation code derived from
 * the transcript; when the sealed transfer arrives it opens it, checks everything in it (the
 * identity is the one the hello named, the secrets match its public keys, the certificate is for
 * this device's key), registers its device key and gets its JWT, and only then writes its store.
 * An expired, cancelled, replayed or tampered transfer is refused with a typed error and nothing is
 * stored (core/crypto/pairing.ts for the bytes).
 * @example const offering = await offerPairing(options); showQr(offering.qrText); const { code } = await offering.hello; const opened = await offering.done;
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { equalBytes, u64be } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import {
  createDeviceKey,
  encodePairingOffer,
  hpkeGenerateKeyPair,
  hpkePublicKey,
  LABEL_PAIRING_CANCEL,
  LABEL_PAIRING_FINISH,
  LABEL_PAIRING_OPEN,
  LABEL_PAIRING_POLL,
  labeledMessage,
  openPairingTransfer,
  PAIRING_CHANNEL_ID_BYTES,
  PAIRING_OFFER_TTL_MS,
  pairingCode,
  pairingTranscript,
  parsePairingHello,
  randomBytes,
  type SignedProps,
  sign,
  signingPublicKey,
  verifyDeviceCertificate,
  verifyUserIdentity,
} from '../crypto/index.ts';
import { ConflictError, DecryptError, ExpiredError, RoomKeyError, TamperedError } from '../errors.ts';
import { connectWithLoginCredential } from '../transport/connect.ts';
import { PAIRING_SUBJECTS } from '../transport/subjects.ts';
import type { SessionOptions } from './account-flows.ts';
import { credentialOf, type DeviceCredential, sealedRequest } from './device-jwt.ts';
import { LocalState } from './local-state.ts';

/** How often the new device asks the relay whether the old device has spoken. */
const POLL_INTERVAL_MS = 400;

export interface PairingHelloSeen {
  /** Six digits to show; the user compares them with the old device's screen. */
  code: string;
  username: string;
  userId: string;
}

/** What the new device holds while it waits (see the top of this file). */
export interface PairingOffering {
  /** The QR code's text ("roomkey-pair:v1:…"); the same text may be copied and pasted. */
  readonly qrText: string;
  readonly expiresAtMs: number;
  /** Resolves when an old device read the code: the confirmation code to show. */
  readonly hello: Promise<PairingHelloSeen>;
  /** Resolves with the unlocked store (and its first JWT) once the identity arrived and checked out. */
  readonly done: Promise<{ state: LocalState; credential: DeviceCredential }>;
  /** Gives up: the channel closes at the gateway, so the old device cannot send anything. */
  cancel(): Promise<void>;
}

/**
 * Makes and opens an offer; `password` will lock this device's store (use the account password:
 * one secret then unlocks both). Rejects at once if the gateway refuses the channel.
 * @example const offering = await offerPairing({ config, backend, password });
 */
export async function offerPairing(options: SessionOptions & { password: string }): Promise<PairingOffering> {
  if (await LocalState.exists(options.backend)) {
    throw new ConflictError('This device already holds an account: sign out first to pair it again.');
  }
  const ephemeral = await hpkeGenerateKeyPair();
  const device = createDeviceKey();
  const channelId = randomBytes(PAIRING_CHANNEL_ID_BYTES);
  const expiresAtMs = Date.now() + PAIRING_OFFER_TTL_MS;
  const offer = encodePairingOffer({
    channelId,
    ephemeralKey: ephemeral.publicKey,
    deviceKey: device.publicKey,
    expiresAtMs,
  });
  const login = await connectWithLoginCredential({
    servers: options.config.servers,
    connect: options.config.connect,
    loginJwt: options.config.loginJwt,
    options: { timeout: 5000 },
  });
  const timeout = { timeoutMs: options.config.requestTimeoutMs };
  const proved = (label: string, ...parts: Uint8Array[]) =>
    sign(labeledMessage(label, ...parts), device.secretKey);
  try {
    await sealedRequest(
      login,
      PAIRING_SUBJECTS.open,
      async (replyKey) =>
        encode(v1.PairingOpenRequest, {
          offer: offer.bytes,
          proof: await proved(LABEL_PAIRING_OPEN, offer.bytes, replyKey),
          replyKey,
        }),
      timeout,
    );
  } catch (error) {
    await login.close().catch(() => undefined);
    throw error;
  }
  let cancelled = false;
  const poll = async (): Promise<roomkey.v1.PairingPollResponse> => {
    const requestedAtMs = Date.now();
    const ok = await sealedRequest(
      login,
      PAIRING_SUBJECTS.poll,
      async (replyKey) =>
        encode(v1.PairingPollRequest, {
          channelId,
          requestedAtMs,
          proof: await proved(LABEL_PAIRING_POLL, channelId, u64be(requestedAtMs), replyKey),
          replyKey,
        }),
      timeout,
    );
    return decode(v1.PairingPollResponse, ok, 'pairing poll response');
  };
  /** Polls until the channel leaves `state`; typed errors for cancelled and expired. */
  const waitPast = async (state: roomkey.v1.PairingState, graceMs: number) => {
    for (;;) {
      if (cancelled) throw cancelledError();
      const res = await poll();
      if (res.state === v1.PairingState.PAIRING_STATE_CANCELLED) throw cancelledError();
      if (res.state !== state) return res;
      if (Date.now() > expiresAtMs + graceMs) {
        throw new ExpiredError('Nobody confirmed this pairing code in time: show a new one.');
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  };

  let helloBytes: Uint8Array | undefined;
  let identity: SignedProps | undefined;
  const hello = (async (): Promise<PairingHelloSeen> => {
    const res = await waitPast(v1.PairingState.PAIRING_STATE_OPEN, 0);
    const parsed = parsePairingHello(res.hello, channelId);
    const body = await verifyUserIdentity(parsed.identity!);
    helloBytes = res.hello.slice();
    identity = signedProps(parsed.identity!);
    return {
      code: pairingCode(pairingTranscript(offer.bytes, helloBytes)),
      username: body.username,
      userId: body.userId,
    };
  })();

  const done = (async () => {
    await hello;
    // The user confirms on the old device within the offer's time; a little grace for the relay.
    const res = await waitPast(v1.PairingState.PAIRING_STATE_HELLO, 30_000);
    if (res.state !== v1.PairingState.PAIRING_STATE_SENT || !res.transfer) {
      throw new ConflictError('This pairing channel was used by someone else: show a new code.');
    }
    const transcript = pairingTranscript(offer.bytes, helloBytes!);
    let payloadBytes: Uint8Array;
    try {
      payloadBytes = await openPairingTransfer(ephemeral.privateKey, transcript, res.transfer);
    } catch (error) {
      if (error instanceof DecryptError) throw tampered('it does not open with this device’s key');
      throw error;
    }
    const payload = decode(v1.PairingPayload, payloadBytes, 'pairing payload');
    const checked = await checkPayload(payload, identity!, device.publicKey);
    const credential = await finish(login, channelId, checked.certificate, device.secretKey, timeout);
    const state = await LocalState.create(options.backend, options.password, options.storeParams);
    await state.setIdentity({
      identity: checked.identity,
      signingSecret: payload.signingSecret,
      hpkeSecret: payload.hpkeSecret,
      deviceSecret: device.secretKey,
      deviceCertificate: checked.certificate,
    });
    return { state, credential };
  })();
  // Whatever happens, the login connection closes when the offer is settled.
  void done.catch(() => undefined).finally(() => void login.close().catch(() => undefined));
  void hello.catch(() => undefined);

  return {
    qrText: offer.qrText,
    expiresAtMs,
    hello,
    done,
    cancel: async () => {
      if (cancelled) return;
      cancelled = true;
      if (login.isClosed()) return;
      await sealedRequest(
        login,
        PAIRING_SUBJECTS.cancelNew,
        async (replyKey) =>
          encode(v1.PairingCancelRequest, {
            channelId,
            proof: await proved(LABEL_PAIRING_CANCEL, channelId, replyKey),
            replyKey,
          }),
        timeout,
      ).catch((error: unknown) => {
        // Already used (the transfer arrived) or gone: nothing left to cancel at the gateway.
        if (!(error instanceof RoomKeyError)) throw error;
      });
    },
  };
}

/** Everything in the payload must be what the hello promised and fit this device. */
async function checkPayload(
  payload: roomkey.v1.PairingPayload,
  helloIdentity: SignedProps,
  deviceKey: Uint8Array,
): Promise<{ identity: SignedProps; certificate: SignedProps }> {
  if (!payload.identity) throw tampered('it carries no identity');
  const identity = signedProps(payload.identity);
  if (
    !equalBytes(identity.body, helloIdentity.body) ||
    !equalBytes(identity.signature, helloIdentity.signature)
  ) {
    throw tampered('its identity is not the one the other device named');
  }
  const body = await verifyUserIdentity(identity);
  if (payload.signingSecret.length !== 32 || payload.hpkeSecret.length !== 32)
    throw tampered('its keys are malformed');
  if (!equalBytes(signingPublicKey(payload.signingSecret), body.signingKey))
    throw tampered('its signing key does not match');
  if (!equalBytes(hpkePublicKey(payload.hpkeSecret), body.hpkeKey))
    throw tampered('its encryption key does not match');
  if (!payload.deviceCertificate) throw tampered('it has no device certificate');
  const signedCertificate = signedProps(payload.deviceCertificate);
  const certificate = await verifyDeviceCertificate(signedCertificate, body, Date.now());
  if (!equalBytes(certificate.deviceKey, deviceKey)) throw tampered('its certificate is for another device');
  return { identity, certificate: signedCertificate };
}

/** The three fields of a decoded Signed (missing ones empty, which no verifier accepts). */
function signedProps(signed: roomkey.v1.Signed.$Properties): SignedProps {
  const empty = new Uint8Array(0);
  return { body: signed.body ?? empty, signature: signed.signature ?? empty, signer: signed.signer ?? empty };
}

async function finish(
  login: NatsConnection,
  channelId: Uint8Array,
  certificate: SignedProps,
  deviceSecret: Uint8Array,
  timeout: { timeoutMs?: number },
): Promise<DeviceCredential> {
  const ok = await sealedRequest(
    login,
    PAIRING_SUBJECTS.finish,
    async (replyKey) =>
      encode(v1.PairingFinishRequest, {
        channelId,
        deviceCertificate: certificate,
        proof: await sign(labeledMessage(LABEL_PAIRING_FINISH, channelId, replyKey), deviceSecret),
        replyKey,
      }),
    timeout,
  );
  return credentialOf(decode(v1.RefreshResponse, ok, 'pairing finish response'));
}

function tampered(why: string): TamperedError {
  return new TamperedError(`The pairing transfer was refused (${why}): nothing was stored. Pair again.`);
}

function cancelledError(): ConflictError {
  return new ConflictError('The pairing was cancelled: nothing was sent. Show a new code to try again.');
}
