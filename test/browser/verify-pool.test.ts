// core/client's verify pool in Chromium with real module workers: every Ed25519 verdict of the strict
// vectors and of speccheck is the one verifyBatch gives in the page, in order, also split across
// workers and mixed with ordinary signatures; a worker that cannot load leaves the pool verifying in
// the page with the same verdicts; a wrong length is the same MalformedError as in-thread.

import { MIN_PARALLEL, VerifyPool } from '../../core/client/verify-pool.ts';
import { aeadOpen, aeadSeal } from '../../core/crypto/aead.ts';
import { sign, signingKeyPair, type VerifyItem, verifyBatch } from '../../core/crypto/sign.ts';
import { equal, ok } from '../helpers/assert.ts';
import speccheck from '../vectors/ed25519-speccheck.json' with { type: 'json' };
import ed25519Strict from '../vectors/ed25519-strict.json' with { type: 'json' };

const h = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const workerUrl = new URL('./verify-pool.worker.js', import.meta.url);
const realWorker = () => new Worker(workerUrl, { type: 'module' });

function vectorItems(): Array<VerifyItem & { accept: boolean }> {
  const strict = ed25519Strict.vectors.map((v) => ({
    publicKey: h(v.publicKey),
    signature: h(v.signature),
    message: h(ed25519Strict.message),
    accept: v.accept,
  }));
  const cases = ed25519Strict.speccheck.map((v) => {
    const c = speccheck[v.case]!;
    return { publicKey: h(c.pub_key), signature: h(c.signature), message: h(c.message), accept: v.accept };
  });
  return [...strict, ...cases];
}

/** The vectors among ordinary signatures (some tampered), enough to be split across workers. */
async function mixedBatch(): Promise<Array<VerifyItem & { accept: boolean }>> {
  const key = signingKeyPair();
  const items: Array<VerifyItem & { accept: boolean }> = [];
  for (let i = 0; i < 3 * MIN_PARALLEL; i++) {
    const message = new TextEncoder().encode(`message ${i}`);
    const signature = await sign(message, key.secretKey);
    if (i % 7 === 3) signature[5]! ^= 1;
    items.push({ publicKey: key.publicKey, signature, message, accept: i % 7 !== 3 });
  }
  const vectors = vectorItems();
  for (const [i, v] of vectors.entries()) items.splice(i * 11, 0, v);
  return items;
}

describe('verify pool (Web Workers)', () => {
  it('gives every strict and speccheck verdict as verifyBatch does, in order, across workers', async () => {
    const items = await mixedBatch();
    const pool = new VerifyPool(realWorker, 3);
    try {
      const inPage = await verifyBatch(items);
      await pool.warm();
      const pooled = await pool.verify(items);
      ok(pool.usable && pool.verifiedInWorkers > 0, 'the workers answered (not the in-page fallback)');
      equal(pooled.length, items.length);
      for (const [i, item] of items.entries()) {
        equal(inPage[i], item.accept, `in-page verdict ${i}`);
        equal(pooled[i], item.accept, `pooled verdict ${i}`);
      }
    } finally {
      pool.close();
    }
  });

  it('verifies a batch in the page while its workers still load, with the same verdicts', async () => {
    const items = await mixedBatch();
    const pool = new VerifyPool(realWorker, 2);
    try {
      equal((await pool.verify(items)).join(), items.map((i) => i.accept).join());
      equal(pool.verifiedInWorkers, 0, 'nobody waited for the workers to load');
      await pool.warm();
      equal((await pool.verify(items)).join(), items.map((i) => i.accept).join());
      ok(pool.verifiedInWorkers > 0, 'then they take the batches');
    } finally {
      pool.close();
    }
  });

  it('opens envelopes in the workers as aeadOpen does; what does not open is left undefined', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const items = Array.from({ length: 2 * MIN_PARALLEL }, (_, i) => {
      const nonce = crypto.getRandomValues(new Uint8Array(24));
      const aad = new TextEncoder().encode(`header ${i}`);
      const plaintext = new TextEncoder().encode(`text ${i}`.repeat(i % 5));
      const ciphertext = aeadSeal(key, nonce, plaintext, aad);
      if (i % 9 === 4) ciphertext[0]! ^= 1;
      return { key, nonce, aad, ciphertext };
    });
    const pool = new VerifyPool(realWorker, 2);
    try {
      equal((await pool.open(items)).filter(Boolean).length, 0, 'no worker ready yet: nothing opened ahead');
      await pool.warm();
      const opened = await pool.open(items);
      for (const [i, item] of items.entries()) {
        const here = (() => {
          try {
            return aeadOpen(item.key, item.nonce, item.ciphertext, item.aad).join();
          } catch {
            return undefined;
          }
        })();
        equal(opened[i]?.join(), here, `item ${i}`);
      }
      ok(opened.some((p) => p === undefined) && opened.some((p) => p !== undefined));
    } finally {
      pool.close();
    }
  });

  it('verifies in the page, with the same verdicts, when its worker cannot load', async () => {
    const items = await mixedBatch();
    const pool = new VerifyPool(
      // A script that throws as it loads (as one blocked or broken would fail).
      () => new Worker(URL.createObjectURL(new Blob(['throw new Error("broken")'])), { type: 'module' }),
      2,
    );
    await pool.warm();
    const pooled = await pool.verify(items);
    ok(!pool.usable, 'the failed worker took the pool out of use');
    equal(pooled.join(), items.map((i) => i.accept).join());
    equal((await pool.verify(items)).join(), items.map((i) => i.accept).join(), 'later batches too');
  });

  it('refuses a wrong signature length with the error verifyBatch throws', async () => {
    const items = await mixedBatch();
    items[100] = { ...items[100]!, signature: items[100]!.signature.subarray(0, 63) };
    const expected = await verifyBatch(items).then(
      () => 'resolved',
      (e: Error) => `${e.name}: ${e.message}`,
    );
    const pool = new VerifyPool(realWorker, 2);
    try {
      await pool.warm();
      const got = await pool.verify(items).then(
        () => 'resolved',
        (e: Error) => `${e.name}: ${e.message}`,
      );
      ok(expected !== 'resolved');
      equal(got, expected);
    } finally {
      pool.close();
    }
  });
});
