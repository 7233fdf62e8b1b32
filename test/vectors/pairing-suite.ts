// The pairing vectors (pairing.json), recomputed unchanged in Node
// (test/unit/crypto/pairing-vectors.test.ts) and Chromium (test/browser/pairing-vectors.test.ts).
// Transcript and code were also checked independently with Python's hashlib/hmac when made.
import { fromHex, toHex } from '../../core/bytes.ts';
import {
  encodePairingOffer,
  hpkeDeriveKeyPair,
  openPairingTransfer,
  pairingCode,
  pairingTranscript,
  parsePairingHello,
  parsePairingOfferText,
  sealPairingTransfer,
  signingPublicKey,
} from '../../core/crypto/index.ts';
import { DecryptError } from '../../core/errors.ts';
import { bytesEqual, equal } from '../helpers/assert.ts';
import vectors from './pairing.json' with { type: 'json' };

/** Each check as { name, run }, for node:test and mocha alike. */
export const pairingSuites = [
  {
    name: 'pairing: offer bytes and QR text',
    async run() {
      for (const v of vectors.vectors) {
        const eph = await hpkeDeriveKeyPair(fromHex(v.ephemeralIkm));
        bytesEqual(eph.publicKey, v.ephemeralPublicKey, `${v.name} ephemeral key`);
        bytesEqual(signingPublicKey(fromHex(v.deviceSeed)), v.deviceKey, `${v.name} device key`);
        const offer = encodePairingOffer({
          channelId: fromHex(v.channelId),
          ephemeralKey: eph.publicKey,
          deviceKey: fromHex(v.deviceKey),
          expiresAtMs: v.expiresAtMs,
        });
        bytesEqual(offer.bytes, v.offer, `${v.name} offer`);
        equal(offer.qrText, v.qrText, `${v.name} QR text`);
        const parsed = parsePairingOfferText(v.qrText);
        bytesEqual(parsed.bytes, v.offer, `${v.name} parsed offer`);
        equal(parsed.expiresAtMs, v.expiresAtMs, `${v.name} expiry`);
      }
    },
  },
  {
    name: 'pairing: transcript and confirmation code',
    async run() {
      for (const v of vectors.vectors) {
        parsePairingHello(fromHex(v.hello), fromHex(v.channelId));
        const transcript = pairingTranscript(fromHex(v.offer), fromHex(v.hello));
        bytesEqual(transcript, v.transcript, `${v.name} transcript`);
        equal(pairingCode(transcript), v.code, `${v.name} code`);
      }
      const codes = new Set(vectors.vectors.map((v) => v.code));
      equal(codes.size, vectors.vectors.length, 'another hello or channel gives another code');
    },
  },
  {
    name: 'pairing: sealed transfer (fixed ikmE) opens only for its transcript',
    async run() {
      for (const v of vectors.vectors) {
        const sealed = await sealPairingTransfer(
          fromHex(v.ephemeralPublicKey),
          fromHex(v.transcript),
          fromHex(v.payload),
          fromHex(v.ikmE),
        );
        bytesEqual(sealed.enc, v.enc, `${v.name} enc`);
        bytesEqual(sealed.ciphertext, v.ciphertext, `${v.name} ciphertext`);
        const opened = await openPairingTransfer(fromHex(v.ephemeralPrivateKey), fromHex(v.transcript), {
          enc: fromHex(v.enc),
          ciphertext: fromHex(v.ciphertext),
        });
        equal(toHex(opened), v.payload, `${v.name} payload`);
      }
      const [a, b] = vectors.vectors;
      let refused = false;
      try {
        await openPairingTransfer(fromHex(a!.ephemeralPrivateKey), fromHex(b!.transcript), {
          enc: fromHex(a!.enc),
          ciphertext: fromHex(a!.ciphertext),
        });
      } catch (error) {
        refused = error instanceof DecryptError;
      }
      equal(refused, true, 'a transfer made for another hello is refused with DecryptError');
    },
  },
];
