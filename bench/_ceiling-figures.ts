// The primitive ceiling of issue 19: what one core can do per received message with the raw
// primitives alone — protobuf decode (envelope, header, content), batched WebCrypto Ed25519 verify,
// XChaCha20-Poly1305 open (noble) — next to E2EE messages through a room (Room.receiveMany: the same
// work plus directory, membership, epoch and replay checks). Target: the room at ≥ 70% of the
// ceiling. Runtime-agnostic: Node (room.bench.ts) and Chromium (crypto-chromium.bench.ts).
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { u32be } from '../core/bytes.ts';
import {
  encodeEnvelope,
  encodeMessageContent,
  LABEL_ENVELOPE,
  labeledMessage,
  randomBytes,
  sealEnvelope,
  signingKeyPair,
} from '../core/crypto/index.ts';
import { v1 } from '../proto/index.ts';
import type { Report } from './_rate.ts';
import { twoMemberRoom } from './_two-member-room.ts';

const MESSAGES = 2000;
const TEXT = 'x'.repeat(1000);

const rate = (count: number, ms: number) => count / (ms / 1000);

/** Decodes, verifies (one batch) and opens `envelopes`; ms spent in each. */
async function primitiveCosts(envelopes: Uint8Array[], messageKey: Uint8Array, publicKey: Uint8Array) {
  const key = await crypto.subtle.importKey('raw', publicKey as BufferSource, { name: 'Ed25519' }, false, [
    'verify',
  ]);
  let start = performance.now();
  const decoded = envelopes.map((bytes) => {
    const envelope = v1.Envelope.decode(bytes);
    return { envelope, header: v1.EnvelopeHeader.decode(envelope.header) };
  });
  let decodeMs = performance.now() - start;

  start = performance.now();
  const valid = await Promise.all(
    decoded.map(({ envelope }) =>
      crypto.subtle.verify(
        'Ed25519',
        key,
        envelope.signature as BufferSource,
        labeledMessage(
          LABEL_ENVELOPE,
          u32be(envelope.header.length),
          envelope.header,
          envelope.ciphertext,
        ) as BufferSource,
      ),
    ),
  );
  const verifyMs = performance.now() - start;
  if (!valid.every(Boolean)) throw new Error('bench: a signature did not verify');

  start = performance.now();
  const plaintexts = decoded.map(({ envelope, header }) =>
    xchacha20poly1305(messageKey, header.nonce, envelope.header).decrypt(envelope.ciphertext),
  );
  const openMs = performance.now() - start;

  start = performance.now();
  const texts = plaintexts.map((plaintext) => v1.MessageContent.decode(plaintext).text);
  decodeMs += performance.now() - start;
  if (texts.some((text) => text !== TEXT)) throw new Error('bench: a message decoded wrong');
  return { decodeMs, verifyMs, openMs };
}

/**
 * Reports ceiling.{decode,verify,open} and ceiling.per-core (msgs/s), room.receiveMany.ceiling-case
 * (msgs/s through a room, same run) and room.vs-ceiling (the ratio; target ≥ 0.7).
 * @example await ceilingFigures(report);
 */
export async function ceilingFigures(report: Report): Promise<void> {
  const messageKey = randomBytes(32);
  const device = signingKeyPair();
  const envelopes: Uint8Array[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    const parts = await sealEnvelope({
      roomId: 'bench-room',
      epoch: 1,
      senderUserId: 'alice',
      sentAtMs: Date.now(),
      contentType: 1,
      plaintext: encodeMessageContent({ text: TEXT }),
      messageKey,
      deviceSecretKey: device.secretKey,
    });
    envelopes.push(encodeEnvelope(parts));
  }
  await primitiveCosts(envelopes.slice(0, 200), messageKey, device.publicKey); // warm-up
  const costs = await primitiveCosts(envelopes, messageKey, device.publicKey);
  const ceiling = rate(MESSAGES, costs.decodeMs + costs.verifyMs + costs.openMs);
  report('ceiling.decode', rate(MESSAGES, costs.decodeMs), 'msgs/s (protobuf: envelope, header, content)');
  report('ceiling.verify', rate(MESSAGES, costs.verifyMs), 'msgs/s (WebCrypto Ed25519, one batch)');
  report('ceiling.open', rate(MESSAGES, costs.openMs), 'msgs/s (XChaCha20-Poly1305, noble, 1 KB)');
  report('ceiling.per-core', ceiling, 'msgs/s (anchor: decode + verify + open, one core, this run)');

  const { room, bobs } = await twoMemberRoom();
  const sent: Uint8Array[] = [];
  for (let i = 0; i < MESSAGES + 200; i++)
    sent.push((await room.encrypt(TEXT, { nowMs: Date.now() })).envelope);
  await bobs.receiveMany(sent.slice(0, 200)); // warm-up
  const start = performance.now();
  const results = await bobs.receiveMany(sent.slice(200));
  const roomRate = rate(MESSAGES, performance.now() - start);
  if (results.some((r) => r instanceof Error)) throw new Error('bench: a message failed to open');
  report('room.receiveMany.ceiling-case', roomRate, 'msgs/s (E2EE messages through a room, one batch)');
  report('room.vs-ceiling', roomRate / ceiling, 'ratio (target ≥ 0.7)');
}
