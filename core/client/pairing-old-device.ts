/**
 * Pairing, the OLD (signed-in) device's side: it reads the new device's QR (scanned or pasted),
 * says hello through the gateway, and shows the confirmation code. Nothing secret leaves before the
 * user confirms that both screens show the same code; then the user identity, a certificate for
 * the new device key, and the room keys this device holds are sealed with HPKE to the offer's
 * ephemeral key, bound to the transcript (core/crypto/pairing.ts), and relayed by the gateway,
 * which cannot open them. Cancel (or differing codes) closes the channel: nothing is sent.
 * @example const approval = await approvePairing(deps, qrText); show(approval.code); await approval.confirm();
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { encode } from '../codec.ts';
import {
  encodePairingHello,
  GENERIC_DEVICE_NAME,
  PAIRING_NONCE_BYTES,
  type ParsedPairingOffer,
  pairingCode,
  pairingTranscript,
  parsePairingOfferText,
  randomBytes,
  requireFreshOffer,
  sealPairingTransfer,
  signDeviceCertificate,
} from '../crypto/index.ts';
import { MalformedError } from '../errors.ts';
import { gatewayRequest } from '../transport/request.ts';
import { PAIRING_SUBJECTS } from '../transport/subjects.ts';
import { localMember } from './local-state.ts';

export interface ApprovePairingDeps {
  /** The device's own connection (its JWT allows the device pairing subjects). */
  nc: NatsConnection;
  /** This device's stored identity: the user keys it moves, and who the user is. */
  identity: roomkey.v1.LocalIdentity;
  userId: string;
  /** The room keys this device holds, to hand over (epoch secrets per room). */
  roomKeys?: () => Promise<roomkey.v1.RoomKeys.$Properties[]>;
  timeoutMs?: number;
  now?: () => number;
}

/** A new device's code, read and greeted: compare `code` with the new device's screen. */
export interface PairingApproval {
  /** Six digits, the same on both screens when both saw the same offer and hello. */
  readonly code: string;
  /** The new device's key (shown shortened, for the curious). */
  readonly deviceKey: Uint8Array;
  readonly expiresAtMs: number;
  /**
   * The codes match: certify the new device and send it the identity (once). The certificate
   * carries the generic name (the gateway stores it); the new device names itself, sealed
   * (device-names.ts), so `deviceName` is no longer used.
   */
  confirm(options?: { /** @deprecated unused: names are sealed now */ deviceName?: string }): Promise<void>;
  /** The codes differ, or the user changed their mind: nothing is sent, the channel closes. */
  cancel(): Promise<void>;
}

/**
 * Reads the offer text, says hello and returns the code to compare (see the top of this file).
 * @example const approval = await approvePairing({ nc, identity, userId }, text);
 */
export async function approvePairing(deps: ApprovePairingDeps, offerText: string): Promise<PairingApproval> {
  const now = deps.now ?? Date.now;
  const offer = parsePairingOfferText(offerText);
  requireFreshOffer(offer, now());
  if (!deps.identity.identity?.body) throw new MalformedError('This device holds no identity to pair.');
  const helloBytes = encodePairingHello({
    channelId: offer.channelId,
    nonce: randomBytes(PAIRING_NONCE_BYTES),
    identity: deps.identity.identity,
  });
  const request = (subject: string, body: Uint8Array) =>
    gatewayRequest(deps.nc, subject, body, { timeoutMs: deps.timeoutMs });
  await request(
    PAIRING_SUBJECTS.hello,
    encode(v1.PairingHelloRequest, { channelId: offer.channelId, hello: helloBytes }),
  );
  const transcript = pairingTranscript(offer.bytes, helloBytes);
  let settled = false;
  const once = () => {
    if (settled) throw new MalformedError('This pairing was already confirmed or cancelled.');
    settled = true;
  };
  return {
    code: pairingCode(transcript),
    deviceKey: offer.deviceKey,
    expiresAtMs: offer.expiresAtMs,
    confirm: async () => {
      once();
      requireFreshOffer(offer, now());
      const payload = await pairingPayload(deps, offer, GENERIC_DEVICE_NAME, now());
      const transfer = await sealPairingTransfer(offer.ephemeralKey, transcript, payload);
      payload.fill(0);
      await request(
        PAIRING_SUBJECTS.send,
        encode(v1.PairingSendRequest, { channelId: offer.channelId, transfer }),
      );
    },
    cancel: async () => {
      once();
      await request(PAIRING_SUBJECTS.cancel, encode(v1.PairingCancelRequest, { channelId: offer.channelId }));
    },
  };
}

async function pairingPayload(
  deps: ApprovePairingDeps,
  offer: ParsedPairingOffer,
  deviceName: string,
  now: number,
): Promise<Uint8Array> {
  const { userKeys } = localMember(deps.identity);
  const certificate = await signDeviceCertificate(userKeys, {
    userId: deps.userId,
    deviceKey: offer.deviceKey,
    deviceName,
    issuedAtMs: now,
  });
  return encode(v1.PairingPayload, {
    identity: deps.identity.identity,
    signingSecret: userKeys.signingSecretKey,
    hpkeSecret: userKeys.hpkePrivateKey,
    deviceCertificate: certificate,
    rooms: (await deps.roomKeys?.()) ?? [],
  });
}
