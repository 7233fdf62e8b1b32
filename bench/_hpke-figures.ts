// HPKE seal and open of 1 KB, on each X25519 backend, next to two anchors measured in the same run:
// the suite exactly as it was before issue 19 (@hpke/dhkem-x25519's pure-JS KEM and @hpke/core's
// WebCrypto HKDF; ~330 ops/s then) and one pure-JS X25519. Runtime-agnostic: Node (crypto.bench.ts)
// and Chromium (crypto-chromium.bench.ts) run it unchanged.
import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';
import { x25519 } from '@noble/curves/ed25519.js';
import {
  hpkeBackend,
  hpkeDeriveKeyPair,
  hpkeOpen,
  hpkeSeal,
  type X25519Backend,
} from '../core/crypto/hpke.ts';
import { type Report, rate } from './_rate.ts';

/**
 * Reports hpke.{seal,open}.1kb (default backend) and .noble (fallback), each with .vs-before (the
 * ratio to the anchor hpke.{seal,open}.1kb.before), and x25519.noble (an anchor for the machine's speed).
 * @example await hpkeFigures(report);
 */
export async function hpkeFigures(report: Report): Promise<void> {
  const keys = await hpkeDeriveKeyPair(new Uint8Array(32).fill(1));
  const plaintext = new Uint8Array(1024).fill(0x61);
  const info = new Uint8Array(8);
  const sealed = await hpkeSeal(keys.publicKey, plaintext, info);

  // The anchor: what hpkeSeal / hpkeOpen did before, call for call (a key import each time).
  const before = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Chacha20Poly1305(),
  });
  const sealBefore = await rate(async () =>
    before.seal(
      { recipientPublicKey: await before.kem.deserializePublicKey(keys.publicKey), info },
      plaintext,
    ),
  );
  const openBefore = await rate(async () =>
    before.open(
      { recipientKey: await before.kem.deserializePrivateKey(keys.privateKey), enc: sealed.enc, info },
      sealed.ciphertext,
    ),
  );
  report('hpke.seal.1kb.before', sealBefore, 'ops/s (anchor: the suite before issue 19, this run)');
  report('hpke.open.1kb.before', openBefore, 'ops/s (anchor: the suite before issue 19, this run)');

  const chosen = await hpkeBackend();
  const backends: X25519Backend[] = chosen === 'webcrypto' ? ['webcrypto', 'noble'] : ['noble'];
  for (const backend of backends) {
    const suffix = backend === chosen ? '' : `.${backend}`;
    const on = { backend };
    const seal = await rate(() => hpkeSeal(keys.publicKey, plaintext, info, undefined, undefined, on));
    const open = await rate(() =>
      hpkeOpen(keys.privateKey, sealed.enc, sealed.ciphertext, info, undefined, on),
    );
    report(`hpke.seal.1kb${suffix}`, seal, `ops/s (X25519 on ${backend})`);
    report(`hpke.open.1kb${suffix}`, open, `ops/s (X25519 on ${backend})`);
    report(`hpke.seal.1kb${suffix}.vs-before`, seal / sealBefore, 'ratio');
    report(`hpke.open.1kb${suffix}.vs-before`, open / openBefore, 'ratio');
  }
  const peer = x25519.getPublicKey(new Uint8Array(32).fill(2));
  report(
    'x25519.noble',
    await rate(() => x25519.getSharedSecret(keys.privateKey, peer)),
    'ops/s (anchor: one pure-JS scalar multiplication)',
  );
}
