// core/crypto throughput: envelopes at 1 KB, raw XChaCha20-Poly1305, Ed25519 on each backend, HPKE.
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
  hpkeOpen,
  hpkeSeal,
  parseEnvelope,
  sealEnvelope,
  sign,
  verify,
  verifyBatch,
  verifyEnvelopeSignature,
  verifyEnvelopeSignatures,
} from '../core/crypto/index.ts';

type Report = (name: string, value: number, unit: string) => void;

const BUDGET_MS = 1000;

/** Calls `step` (which does `per` operations) until the budget is spent; returns operations/s. */
async function rate(step: () => unknown, per = 1): Promise<number> {
  for (let i = 0; i < 3; i++) await step();
  let done = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS) {
    await step();
    done += per;
    elapsed = performance.now() - start;
  }
  return (done * 1000) / elapsed;
}

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

  // HPKE (key wraps and seal-to-room are one of each per call).
  const info = new Uint8Array(8);
  const sealed = await hpkeSeal(keys.roomPublicKey, plaintext, info);
  report('hpke.seal.1kb', await rate(() => hpkeSeal(keys.roomPublicKey, plaintext, info)), 'ops/s');
  report(
    'hpke.open.1kb',
    await rate(() => hpkeOpen(keys.roomPrivateKey, sealed.enc, sealed.ciphertext, info)),
    'ops/s',
  );
}
