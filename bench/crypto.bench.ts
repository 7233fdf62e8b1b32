// core/crypto throughput: envelopes at 1 KB, raw XChaCha20-Poly1305, Ed25519 on each backend, HPKE
// on each X25519 backend next to its anchors (_hpke-figures.ts; Chromium's figures: crypto-chromium).
// Each figure runs for about one second (never more than ~1.5 s), after a short warm-up.
import {
  aeadOpen,
  aeadSeal,
  createDeviceKey,
  decryptEnvelope,
  deriveEpochKeys,
  type Ed25519Backend,
  ed25519Backend,
  encodeEnvelope,
  parseEnvelope,
  sealEnvelope,
  sign,
  verify,
  verifyBatch,
  verifyEnvelopeSignature,
  verifyEnvelopeSignatures,
} from '../core/crypto/index.ts';
import { hpkeFigures } from './_hpke-figures.ts';
import { type Report, rate } from './_rate.ts';

/**
 * Runs every crypto benchmark and reports one figure per line.
 * @example await bench((name, value, unit) => console.log(`bench ${name} ${value} ${unit}`));
 */
export async function bench(report: Report): Promise<void> {
  const keys = await deriveEpochKeys(new Uint8Array(32).fill(1), 'room-bench', 0);
  const device = createDeviceKey(new Uint8Array(32).fill(2));
  const plaintext = new Uint8Array(1024).fill(0x61);
  const header = {
    roomId: 'room-bench',
    epoch: 0,
    senderUserId: 'u-bench',
    sentAtMs: 1_700_000_000_000,
    contentType: 1,
    plaintext,
    messageKey: keys.messageKey,
    deviceSecretKey: device.secretKey,
  };
  const webcrypto = (await ed25519Backend()) === 'webcrypto';
  const backends: Ed25519Backend[] = webcrypto ? ['webcrypto', 'noble'] : ['noble'];

  // Envelopes: seal = encode header + AEAD + sign; open = parse + verify + decrypt.
  const page = await Promise.all(
    Array.from({ length: 256 }, () => sealEnvelope(header).then(encodeEnvelope)),
  );
  for (const backend of backends) {
    const suffix = backend === 'webcrypto' ? '' : '.noble';
    report(`envelope.seal.1kb${suffix}`, await rate(() => sealEnvelope(header, { backend })), 'msgs/s');
    let i = 0;
    report(
      `envelope.open.1kb${suffix}`,
      await rate(async () => {
        const parsed = parseEnvelope(page[i++ % page.length]!);
        await verifyEnvelopeSignature(parsed, { backend });
        decryptEnvelope(parsed, keys.messageKey);
      }),
      'msgs/s',
    );
  }
  if (webcrypto) {
    report(
      'envelope.open.1kb.batched',
      await rate(async () => {
        const parsed = page.map((bytes) => parseEnvelope(bytes));
        const ok = await verifyEnvelopeSignatures(parsed);
        for (const [k, p] of parsed.entries()) if (ok[k]) decryptEnvelope(p, keys.messageKey);
      }, page.length),
      'msgs/s',
    );
  }

  // Raw AEAD.
  const key = keys.messageKey;
  const nonce = new Uint8Array(24);
  const big = new Uint8Array(64 * 1024);
  const sealedBig = aeadSeal(key, nonce, big);
  report(
    'xchacha20poly1305.seal.64kb',
    ((await rate(() => aeadSeal(key, nonce, big))) * big.length) / 1e6,
    'MB/s',
  );
  report(
    'xchacha20poly1305.open.64kb',
    ((await rate(() => aeadOpen(key, nonce, sealedBig))) * big.length) / 1e6,
    'MB/s',
  );
  const sealedSmall = aeadSeal(key, nonce, plaintext);
  report('xchacha20poly1305.seal.1kb', await rate(() => aeadSeal(key, nonce, plaintext)), 'ops/s');
  report('xchacha20poly1305.open.1kb', await rate(() => aeadOpen(key, nonce, sealedSmall)), 'ops/s');

  // Ed25519 per backend: one by one (awaited), and batched (Promise.all over 256) for WebCrypto.
  const message = plaintext;
  const signature = await sign(message, device.secretKey);
  for (const backend of backends) {
    report(
      `ed25519.sign.${backend}`,
      await rate(() => sign(message, device.secretKey, { backend })),
      'ops/s',
    );
    report(
      `ed25519.verify.${backend}`,
      await rate(() => verify(signature, message, device.publicKey, { backend })),
      'ops/s',
    );
  }
  if (webcrypto) {
    const batch = Array.from({ length: 256 }, () => ({ signature, message, publicKey: device.publicKey }));
    report(
      'ed25519.sign.webcrypto.batched',
      await rate(
        () => Promise.all(batch.map(() => sign(message, device.secretKey, { backend: 'webcrypto' }))),
        batch.length,
      ),
      'ops/s',
    );
    report(
      'ed25519.verify.webcrypto.batched',
      await rate(() => verifyBatch(batch, { backend: 'webcrypto' }), batch.length),
      'ops/s',
    );
  }

  // HPKE (key wraps and seal-to-room are one of each per call), with its anchors.
  await hpkeFigures(report);
}
