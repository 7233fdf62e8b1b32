// Runtime-agnostic vector checks: Node runs them under node:test (test/unit/crypto/vectors.test.ts)
// and Chromium under the browser runner, unchanged. Imports only core code, JSON and portable asserts.
// Every byte of every vector is recomputed; Ed25519 outputs are checked on both backends when present.
import { fromHex, toHex, u32be, utf8 } from '../../core/bytes.ts';
import { chooseSuite, rawKey } from '../../core/crypto/_hpke-suite.ts';
import {
  nobleX25519,
  webCryptoX25519Functions,
  type X25519Functions,
} from '../../core/crypto/_hpke-x25519.ts';
import { hpkeBackend, type X25519Backend } from '../../core/crypto/hpke.ts';
import * as c from '../../core/crypto/index.ts';
import { type Argon2Backend, argon2Backend, deriveArgon2id } from '../../core/store/_argon2.ts';
import { passphraseKek } from '../../core/store/private-passphrase-wrap.ts';
import { AssertionError, bytesEqual, equal, ok } from '../helpers/assert.ts';
import argon2id from './argon2id.json' with { type: 'json' };
import argon2Reference from './argon2id-reference.json' with { type: 'json' };
import certificate from './certificate.json' with { type: 'json' };
import { classify, type EdgeProperties } from './ed25519-forge.ts';
import rfc8032 from './ed25519-rfc8032.json' with { type: 'json' };
import speccheck from './ed25519-speccheck.json' with { type: 'json' };
import ed25519Strict from './ed25519-strict.json' with { type: 'json' };
import envelope from './envelope.json' with { type: 'json' };
import epoch from './epoch.json' with { type: 'json' };
import hpke from './hpke.json' with { type: 'json' };
import hpkeX25519Edge from './hpke-x25519-edge.json' with { type: 'json' };
import identity from './identity.json' with { type: 'json' };
import keyWrap from './key-wrap.json' with { type: 'json' };
import rfc9180 from './rfc9180-x25519-sha256-chacha20poly1305-base.json' with { type: 'json' };
import roomInfo from './room-info.json' with { type: 'json' };
import sealToRoom from './seal-to-room.json' with { type: 'json' };
import { lowOrderU } from './x25519-points.ts';
import rfc7748 from './x25519-rfc7748.json' with { type: 'json' };
import xchacha from './xchacha20poly1305-draft.json' with { type: 'json' };

const h = fromHex;

/** Both X25519 implementations for HPKE where WebCrypto has one; noble alone elsewhere. */
async function hpkeBackends(): Promise<X25519Backend[]> {
  return (await hpkeBackend()) === 'webcrypto' ? ['noble', 'webcrypto'] : ['noble'];
}

/** Both Ed25519 implementations where WebCrypto has one; noble alone elsewhere. */
async function backends(): Promise<c.Ed25519Backend[]> {
  return (await c.ed25519Backend()) === 'webcrypto' ? ['noble', 'webcrypto'] : ['noble'];
}

async function rfc8032Suite(): Promise<void> {
  equal(rfc8032.vectors.length, 3);
  for (const v of rfc8032.vectors) {
    bytesEqual(c.signingPublicKey(h(v.secretKey)), v.publicKey, `${v.name}: public key`);
    for (const backend of await backends()) {
      bytesEqual(
        await c.sign(h(v.message), h(v.secretKey), { backend }),
        v.signature,
        `${v.name}: sign (${backend})`,
      );
      ok(
        await c.verify(h(v.signature), h(v.message), h(v.publicKey), { backend }),
        `${v.name}: verify (${backend})`,
      );
      const bad = h(v.signature);
      bad[10]! ^= 1;
      equal(
        await c.verify(bad, h(v.message), h(v.publicKey), { backend }),
        false,
        `${v.name}: tampered (${backend})`,
      );
    }
  }
}

interface EdgeCase {
  name: string;
  publicKey: string;
  signature: string;
  message: string;
  expect: EdgeProperties;
  accept: boolean;
}

/**
 * Each case must be what its row says (recomputed from the bytes), and every backend, one by one and
 * batched, must give the expected verdict. All disagreements are reported at once.
 */
async function checkVerdicts(cases: EdgeCase[]): Promise<void> {
  const wrong: string[] = [];
  for (const v of cases) {
    const [publicKey, signature, message] = [h(v.publicKey), h(v.signature), h(v.message)];
    const properties = classify(publicKey, signature, message);
    for (const [key, value] of Object.entries(v.expect)) {
      const actual = properties[key as keyof EdgeProperties];
      if (actual !== value) wrong.push(`${v.name}: ${key} is ${actual}, the table says ${value}`);
    }
    const keyAcceptable = c.ed25519PublicKeyProblem(publicKey) === undefined;
    const keyShouldBe = v.expect.canonicalA && v.expect.A === 'prime';
    if (keyAcceptable !== keyShouldBe)
      wrong.push(`${v.name}: ed25519PublicKeyProblem says ${c.ed25519PublicKeyProblem(publicKey)}`);
    for (const backend of await backends()) {
      const one = await c.verify(signature, message, publicKey, { backend });
      const [batched] = await c.verifyBatch([{ signature, message, publicKey }], { backend });
      if (one !== v.accept) wrong.push(`${v.name}: ${backend} says ${one}, expected ${v.accept}`);
      if (batched !== v.accept) wrong.push(`${v.name}: ${backend} batched says ${batched}`);
    }
  }
  if (wrong.length > 0) throw new AssertionError(`${wrong.length} wrong verdicts:\n${wrong.join('\n')}`);
}

async function ed25519StrictSuite(): Promise<void> {
  equal(ed25519Strict.vectors.length, 6);
  ok(ed25519Strict.vectors.some((v) => v.accept) && ed25519Strict.vectors.some((v) => !v.accept));
  // The control is an ordinary signature: every backend reproduces it from the seed.
  const control = ed25519Strict.vectors[0]!;
  bytesEqual(c.signingPublicKey(h(ed25519Strict.seed)), control.publicKey, 'control public key');
  for (const backend of await backends())
    bytesEqual(await c.sign(h(ed25519Strict.message), h(ed25519Strict.seed), { backend }), control.signature);
  await checkVerdicts(
    ed25519Strict.vectors.map((v) => ({ ...v, message: ed25519Strict.message }) as EdgeCase),
  );
}

async function speccheckSuite(): Promise<void> {
  equal(speccheck.length, 12, 'ed25519-speccheck.json has its 12 cases');
  equal(ed25519Strict.speccheck.length, 12, 'a verdict for each case');
  await checkVerdicts(
    ed25519Strict.speccheck.map((v) => {
      const { message, pub_key, signature } = speccheck[v.case]!;
      const { case: n, accept, reason, ...expect } = v;
      return { name: `case ${n} (${reason})`, publicKey: pub_key, signature, message, expect, accept };
    }) as EdgeCase[],
  );
}

async function xchachaSuite(): Promise<void> {
  ok(xchacha.vectors.length > 0);
  for (const v of xchacha.vectors) {
    const sealed = c.aeadSeal(h(v.key), h(v.nonce), h(v.plaintext), h(v.aad));
    bytesEqual(sealed, v.ciphertext + v.tag, `${v.name}: seal`);
    bytesEqual(c.aeadOpen(h(v.key), h(v.nonce), sealed, h(v.aad)), v.plaintext, `${v.name}: open`);
  }
}

async function rfc9180Suite(): Promise<void> {
  const s = rfc9180.setup;
  equal(s.mode, 0);
  equal(s.kem_id, 0x20);
  equal(s.kdf_id, 1);
  equal(s.aead_id, 3);
  bytesEqual(c.hpkePublicKey(h(s.skRm)), s.pkRm, 'pkRm from skRm');
  for (const backend of await hpkeBackends()) await rfc9180On(backend);
}

async function rfc9180On(backend: X25519Backend): Promise<void> {
  const s = rfc9180.setup;
  const on = { backend };
  const recipient = await c.hpkeDeriveKeyPair(h(s.ikmR), on);
  bytesEqual(recipient.privateKey, s.skRm, `skRm (${backend})`);
  bytesEqual(recipient.publicKey, s.pkRm, `pkRm (${backend})`);
  const ephemeral = await c.hpkeDeriveKeyPair(h(s.ikmE), on);
  bytesEqual(ephemeral.privateKey, s.skEm, `skEm (${backend})`);
  bytesEqual(ephemeral.publicKey, s.pkEm, `pkEm (${backend})`);

  // The KEM's shared secret, both sides.
  const { suite } = await chooseSuite(on);
  const encap = await suite.kem.encap({ recipientPublicKey: rawKey('public', h(s.pkRm)), ekm: h(s.ikmE) });
  bytesEqual(new Uint8Array(encap.enc), s.enc, `enc (encap, ${backend})`);
  bytesEqual(new Uint8Array(encap.sharedSecret), s.shared_secret, `shared_secret (encap, ${backend})`);
  const decap = await suite.kem.decap({
    recipientKey: { privateKey: rawKey('private', h(s.skRm)), publicKey: rawKey('public', h(s.pkRm)) },
    enc: h(s.enc),
  });
  bytesEqual(new Uint8Array(decap), s.shared_secret, `shared_secret (decap, ${backend})`);

  // One context each way; seal and open sequence numbers 0..256, checking the listed ones.
  const info = h(s.info);
  const sender = await c.createHpkeSender({ recipientPublicKey: h(s.pkRm), info, ikmE: h(s.ikmE), backend });
  bytesEqual(sender.enc, s.enc, `enc (${backend})`);
  const receiver = await c.createHpkeRecipient({
    recipientPrivateKey: h(s.skRm),
    enc: h(s.enc),
    info,
    backend,
  });
  const bySequence = new Map(rfc9180.encryptions.map((e) => [e['sequence number'], e]));
  const last = Math.max(...bySequence.keys());
  let checked = 0;
  for (let seq = 0; seq <= last; seq++) {
    const e = bySequence.get(seq);
    const pt = e ? h(e.pt) : utf8(`filler ${seq}`);
    const aad = e ? h(e.aad) : new Uint8Array(0);
    const ct = await sender.seal(pt, aad);
    const opened = await receiver.open(ct, aad);
    bytesEqual(opened, pt, `open seq ${seq} (${backend})`);
    if (e) {
      bytesEqual(ct, e.ct, `ct seq ${seq} (${backend})`);
      checked++;
    }
  }
  equal(checked, 6, 'all six RFC encryptions checked');
  // The single-shot API is sequence 0.
  const first = rfc9180.encryptions[0]!;
  const single = await c.hpkeSealDeterministic(h(s.pkRm), h(first.pt), info, h(first.aad), h(s.ikmE), on);
  bytesEqual(single.ciphertext, first.ct, `single-shot ct (${backend})`);
  bytesEqual(
    await c.hpkeOpen(h(s.skRm), single.enc, single.ciphertext, info, h(first.aad), on),
    first.pt,
    `single-shot open (${backend})`,
  );

  equal(rfc9180.exports.length, 3);
  for (const x of rfc9180.exports) {
    bytesEqual(
      await sender.export(h(x.exporter_context), x.L),
      x.exported_value,
      `sender export ${x.exporter_context} (${backend})`,
    );
    bytesEqual(
      await receiver.export(h(x.exporter_context), x.L),
      x.exported_value,
      `recipient export ${x.exporter_context} (${backend})`,
    );
  }
}

async function identitySuite(): Promise<void> {
  ok(identity.vectors.length > 0);
  equal(identity.label, c.LABEL_USER_IDENTITY);
  for (const v of identity.vectors) {
    const keys = await c.createUserKeys({ signingSeed: h(v.signingSeed), hpkeSeed: h(v.hpkeSeed) });
    bytesEqual(keys.signingPublicKey, v.signingPublicKey, `${v.name}: signing key`);
    bytesEqual(keys.hpkePrivateKey, v.hpkePrivateKey, `${v.name}: HPKE private key`);
    bytesEqual(keys.hpkePublicKey, v.hpkePublicKey, `${v.name}: HPKE public key`);
    bytesEqual(c.labeledMessage(identity.label, h(v.body)), v.signedMessage, `${v.name}: signed message`);
    for (const backend of await backends()) {
      const signed = await c.signUserIdentity(
        keys,
        { userId: v.userId, username: v.username, createdAtMs: v.createdAtMs },
        { backend },
      );
      bytesEqual(signed.body, v.body, `${v.name}: body`);
      bytesEqual(signed.signature, v.signature, `${v.name}: signature (${backend})`);
      bytesEqual(c.encodeSigned(signed), v.signed, `${v.name}: signed (${backend})`);
      const verified = await c.verifyUserIdentity(h(v.signed), { backend, expectedUserId: v.userId });
      equal(verified.username, v.username);
      equal(verified.createdAtMs, v.createdAtMs);
      bytesEqual(verified.hpkeKey, v.hpkePublicKey);
    }
  }
}

async function certificateSuite(): Promise<void> {
  ok(certificate.vectors.length > 0);
  for (const v of certificate.vectors) {
    const user = c.signingKeyPair(h(v.userSigningSeed));
    bytesEqual(user.publicKey, v.userSigningPublicKey, `${v.name}: user key`);
    const device = c.createDeviceKey(h(v.deviceSeed));
    bytesEqual(device.publicKey, v.devicePublicKey, `${v.name}: device key`);
    for (const backend of await backends()) {
      const signed = await c.signDeviceCertificate(
        { signingSecretKey: user.secretKey },
        {
          userId: v.userId,
          deviceKey: device.publicKey,
          deviceName: v.deviceName,
          issuedAtMs: v.issuedAtMs,
          expiresAtMs: v.expiresAtMs,
        },
        { backend },
      );
      bytesEqual(signed.body, v.body, `${v.name}: body`);
      bytesEqual(signed.signature, v.signature, `${v.name}: signature (${backend})`);
      bytesEqual(c.encodeSigned(signed), v.signed, `${v.name}: signed (${backend})`);
      const cert = await c.verifyDeviceCertificate(
        h(v.signed),
        { userId: v.userId, signingKey: user.publicKey },
        v.issuedAtMs + 1,
        { backend },
      );
      equal(cert.deviceName, v.deviceName);
      equal(cert.expiresAtMs, v.expiresAtMs);
    }
  }
}

async function hpkeSuite(): Promise<void> {
  ok(hpke.vectors.length > 0);
  for (const backend of await hpkeBackends()) {
    const on = { backend };
    for (const v of hpke.vectors) {
      const name = `${v.name} (${backend})`;
      const pair = await c.hpkeDeriveKeyPair(h(v.recipientIkm), on);
      bytesEqual(pair.publicKey, v.recipientPublicKey, `${name}: public key`);
      bytesEqual(pair.privateKey, v.recipientPrivateKey, `${name}: private key`);
      const sealed = await c.hpkeSealDeterministic(
        pair.publicKey,
        h(v.plaintext),
        h(v.info),
        h(v.aad),
        h(v.ikmE),
        on,
      );
      bytesEqual(sealed.enc, v.enc, `${name}: enc`);
      bytesEqual(sealed.ciphertext, v.ciphertext, `${name}: ciphertext`);
      const opened = await c.hpkeOpen(pair.privateKey, h(v.enc), h(v.ciphertext), h(v.info), h(v.aad), on);
      bytesEqual(opened, v.plaintext, `${name}: open`);
    }
  }
}

async function epochSuite(): Promise<void> {
  ok(epoch.vectors.length > 0);
  bytesEqual(utf8(c.EPOCH_HKDF_SALT), epoch.salt, 'salt');
  for (const v of epoch.vectors) {
    // The info layout, spelled out here independently of epoch.ts.
    const layout = (purpose: string) =>
      toHex(utf8(purpose)) + '00' + toHex(u32be(v.epoch)) + toHex(utf8(v.roomId));
    equal(v.roomKeypairInfo, layout('room-keypair'), `${v.name}: room-keypair info layout`);
    equal(v.messageKeyInfo, layout('message-key'), `${v.name}: message-key info layout`);
    bytesEqual(
      c.epochInfo(c.EPOCH_INFO_ROOM_KEYPAIR, v.roomId, v.epoch),
      v.roomKeypairInfo,
      `${v.name}: info`,
    );
    bytesEqual(c.epochInfo(c.EPOCH_INFO_MESSAGE_KEY, v.roomId, v.epoch), v.messageKeyInfo, `${v.name}: info`);
    const keys = await c.deriveEpochKeys(h(v.epochSecret), v.roomId, v.epoch);
    bytesEqual(keys.roomPublicKey, v.roomPublicKey, `${v.name}: room public key`);
    bytesEqual(keys.roomPrivateKey, v.roomPrivateKey, `${v.name}: room private key`);
    bytesEqual(keys.messageKey, v.messageKey, `${v.name}: message key`);
    bytesEqual(
      c.hpkePublicKey(keys.roomPrivateKey),
      v.roomPublicKey,
      `${v.name}: room key pair is consistent`,
    );
  }
}

async function envelopeSuite(): Promise<void> {
  ok(envelope.vectors.length > 0);
  ok(envelope.messageContents.length >= 6, 'a content vector for each message action');
  for (const v of envelope.messageContents) {
    const content = {
      text: v.text,
      replyTo: h(v.replyTo),
      action: v.action as c.MessageActionName,
      target: h(v.target),
      reaction: v.reaction,
    };
    bytesEqual(c.encodeMessageContent(content), v.plaintext, `${v.name}: padded content`);
    const back = c.decodeMessageContent(h(v.plaintext));
    equal(back.action, v.action, `${v.name}: action`);
    equal(back.text, v.text, `${v.name}: text`);
    equal(back.reaction, v.reaction, `${v.name}: reaction`);
    bytesEqual(back.target, v.target, `${v.name}: target`);
    bytesEqual(back.replyTo, v.replyTo, `${v.name}: reply to`);
  }
  for (const p of envelope.paddedLengths)
    equal(c.paddedLength(p.length), p.padded, `paddedLength(${p.length})`);
  for (const v of envelope.vectors) {
    bytesEqual(
      c.deriveMessageKey(h(v.epochSecret), v.roomId, v.epoch),
      v.messageKey,
      `${v.name}: message key`,
    );
    const plaintext = c.encodeMessageContent({ text: v.text });
    bytesEqual(plaintext, v.plaintext, `${v.name}: padded content`);
    equal(plaintext.length, c.paddedLength(plaintext.length), `${v.name}: content fills its bucket`);
    const device = c.createDeviceKey(h(v.deviceSeed));
    bytesEqual(device.publicKey, v.deviceKey, `${v.name}: device key`);
    for (const backend of await backends()) {
      const env = await c.sealEnvelope(
        {
          roomId: v.roomId,
          epoch: v.epoch,
          senderUserId: v.senderUserId,
          sentAtMs: v.sentAtMs,
          contentType: v.contentType,
          messageId: h(v.messageId),
          nonce: h(v.nonce),
          plaintext,
          messageKey: h(v.messageKey),
          deviceSecretKey: device.secretKey,
        },
        { backend },
      );
      bytesEqual(env.header, v.header, `${v.name}: header`);
      bytesEqual(env.ciphertext, v.ciphertext, `${v.name}: ciphertext`);
      bytesEqual(env.signature, v.signature, `${v.name}: signature (${backend})`);
      bytesEqual(c.encodeEnvelope(env), v.envelope, `${v.name}: envelope`);
      // The signed bytes, spelled out independently of envelope.ts.
      const header = h(v.header);
      const signedMessage =
        toHex(utf8('roomkey/v1/envelope')) + '00' + toHex(u32be(header.length)) + v.header + v.ciphertext;
      equal(v.signedMessage, signedMessage, `${v.name}: signed message layout`);
      ok(
        await c.verify(h(v.signature), h(signedMessage), device.publicKey, { backend }),
        `${v.name}: raw verify`,
      );

      const parsed = c.parseEnvelope(h(v.envelope));
      equal(parsed.header.roomId, v.roomId);
      equal(parsed.header.epoch, v.epoch);
      equal(parsed.header.sentAtMs, v.sentAtMs);
      bytesEqual(parsed.header.messageId, v.messageId);
      await c.verifyEnvelopeSignature(parsed, { backend });
      const [batched] = await c.verifyEnvelopeSignatures([parsed], { backend });
      equal(batched, true, `${v.name}: batch verify (${backend})`);
      bytesEqual(c.decryptEnvelope(parsed, h(v.messageKey)), v.plaintext, `${v.name}: decrypt`);
      equal(c.decodeMessageContent(h(v.plaintext)).text, v.text);
    }
  }
}

async function keyWrapSuite(): Promise<void> {
  ok(keyWrap.vectors.length > 0);
  bytesEqual(utf8(c.HPKE_INFO_KEY_WRAP), keyWrap.info, 'info');
  for (const v of keyWrap.vectors) {
    const keys = await c.hpkeDeriveKeyPair(h(v.recipientHpkeSeed));
    bytesEqual(keys.publicKey, v.recipientHpkePublicKey, `${v.name}: recipient key`);
    bytesEqual(keys.privateKey, v.recipientHpkePrivateKey, `${v.name}: recipient private key`);
    const context = { roomId: v.roomId, epoch: v.epoch, recipientUserId: v.recipientUserId };
    bytesEqual(c.keyWrapAad(context), v.aad, `${v.name}: aad`);
    const secrets = v.secrets.map((s) => ({ epoch: s.epoch, secret: h(s.secret) }));
    const wrap = await c.wrapEpochSecrets({
      ...context,
      recipientHpkeKey: keys.publicKey,
      secrets,
      ikmE: h(v.ikmE),
    });
    bytesEqual(wrap.enc, v.enc, `${v.name}: enc`);
    bytesEqual(wrap.ciphertext, v.ciphertext, `${v.name}: ciphertext`);
    const opened = await c.unwrapEpochSecrets(
      { recipientUserId: v.recipientUserId, enc: h(v.enc), ciphertext: h(v.ciphertext) },
      { ...context, recipientHpkePrivateKey: keys.privateKey },
    );
    equal(opened.length, v.secrets.length, `${v.name}: secret count`);
    opened.forEach((s, i) => {
      equal(s.epoch, v.secrets[i]!.epoch);
      bytesEqual(s.secret, v.secrets[i]!.secret, `${v.name}: secret ${i}`);
    });
  }
}

async function sealToRoomSuite(): Promise<void> {
  ok(sealToRoom.vectors.length > 0);
  bytesEqual(utf8(c.HPKE_INFO_SEAL_TO_ROOM), sealToRoom.info, 'info');
  for (const v of sealToRoom.vectors) {
    const keys = await c.deriveEpochKeys(h(v.epochSecret), v.roomId, v.epoch);
    bytesEqual(keys.roomPublicKey, v.roomPublicKey, `${v.name}: room public key`);
    bytesEqual(keys.roomPrivateKey, v.roomPrivateKey, `${v.name}: room private key`);
    equal(
      toHex(c.sealToRoomAad(v.roomId, v.epoch)),
      toHex(utf8(v.roomId)) + toHex(u32be(v.epoch)),
      `${v.name}: aad layout`,
    );
    bytesEqual(c.sealToRoomAad(v.roomId, v.epoch), v.aad, `${v.name}: aad`);
    const sealed = await c.sealToRoom({
      roomId: v.roomId,
      epoch: v.epoch,
      roomPublicKey: keys.roomPublicKey,
      plaintext: h(v.plaintext),
      ikmE: h(v.ikmE),
    });
    bytesEqual(sealed.enc, v.enc, `${v.name}: enc`);
    bytesEqual(sealed.ciphertext, v.ciphertext, `${v.name}: ciphertext`);
    bytesEqual(c.encodeSealedToRoom(sealed), v.sealed, `${v.name}: sealed`);
    bytesEqual(await c.openSealedToRoom(h(v.sealed), keys), v.plaintext, `${v.name}: open`);
  }
}

async function roomInfoSuite(): Promise<void> {
  ok(roomInfo.vectors.length > 0);
  for (const v of roomInfo.vectors) {
    // Info and AAD layouts spelled out independently of room-info.ts.
    bytesEqual(
      c.epochInfo(c.EPOCH_INFO_ROOM_INFO, v.roomId, v.epoch),
      toHex(utf8('room-info')) + '00' + toHex(u32be(v.epoch)) + toHex(utf8(v.roomId)),
      `${v.name}: info layout`,
    );
    bytesEqual(
      c.roomInfoAad(v.roomId, v.epoch),
      toHex(utf8('roomkey/v1/room-info')) + '00' + toHex(u32be(v.epoch)) + toHex(utf8(v.roomId)),
      `${v.name}: aad layout`,
    );
    const key = c.deriveRoomInfoKey(h(v.epochSecret), v.roomId, v.epoch);
    bytesEqual(key, v.roomInfoKey, `${v.name}: key`);
    const keys = await c.deriveEpochKeys(h(v.epochSecret), v.roomId, v.epoch);
    bytesEqual(keys.roomInfoKey, v.roomInfoKey, `${v.name}: key from deriveEpochKeys`);
    const sealed = c.sealRoomInfo({
      roomId: v.roomId,
      epoch: v.epoch,
      roomInfoKey: key,
      info: { name: v.roomName, topic: v.topic },
      nonce: h(v.nonce),
    });
    bytesEqual(sealed.ciphertext, v.ciphertext, `${v.name}: ciphertext`);
    const opened = c.openRoomInfo(
      { nonce: h(v.nonce), ciphertext: h(v.ciphertext) },
      { ...v, roomInfoKey: key },
    );
    equal(opened.name, v.roomName, `${v.name}: name`);
    equal(opened.topic, v.topic, `${v.name}: topic`);
  }
}

/** The raw X25519 of each HPKE backend here; WebCrypto strict (no noble fallback). */
async function x25519Functions(): Promise<Array<[X25519Backend, X25519Functions]>> {
  return (await hpkeBackends()).map((b) => [b, b === 'noble' ? nobleX25519 : webCryptoX25519Functions(true)]);
}

async function rfc7748Suite(): Promise<void> {
  for (const [backend, x] of await x25519Functions()) {
    for (const v of rfc7748.scalarMult)
      bytesEqual(await x.dh(h(v.scalar), h(v.u), false), v.output, `${v.name} (${backend})`);
    let k = h(rfc7748.iterated.start);
    let u = k;
    for (let i = 1; i <= 1000; i++) {
      [k, u] = [await x.dh(k, u, false), k];
      if (i === 1) bytesEqual(k, rfc7748.iterated.after1, `iterated once (${backend})`);
    }
    bytesEqual(k, rfc7748.iterated.after1000, `iterated 1000 times (${backend})`);
    const d = rfc7748.diffieHellman;
    bytesEqual(await x.base(h(d.alicePrivate)), d.alicePublic, `Alice's public key (${backend})`);
    bytesEqual(await x.base(h(d.bobPrivate)), d.bobPublic, `Bob's public key (${backend})`);
    bytesEqual(
      await x.dh(h(d.alicePrivate), h(d.bobPublic), true),
      d.shared,
      `Alice's shared secret (${backend})`,
    );
    bytesEqual(
      await x.dh(h(d.bobPrivate), h(d.alicePublic), false),
      d.shared,
      `Bob's shared secret (${backend})`,
    );
  }
}

/** Every backend gives each hostile u the recorded shared secret, ciphertext or refusal. */
async function x25519EdgeSuite(): Promise<void> {
  const e = hpkeX25519Edge;
  // The low-order list is derived again from the Edwards torsion points, not trusted as written.
  const lowOrder = lowOrderU().map((p) => toHex(p.u));
  equal(
    e.vectors.filter((v) => lowOrder.includes(v.u)).length,
    lowOrder.length,
    'every low-order u is listed',
  );
  for (const backend of await hpkeBackends()) {
    const recipient = await c.hpkeDeriveKeyPair(h(e.recipientIkm), { backend });
    const { suite } = await chooseSuite({ backend });
    const recipientKey = {
      privateKey: rawKey('private', recipient.privateKey),
      publicKey: rawKey('public', recipient.publicKey),
    };
    for (const v of e.vectors) {
      const u = h(v.u);
      const low = lowOrder.includes(toHex(Uint8Array.from(u, (b, i) => (i === 31 ? b & 0x7f : b))));
      if (low) equal(v.decapSharedSecret, 'refused', `${v.name}: a low-order u must be refused`);
      const decap = await suite.kem.decap({ recipientKey, enc: u }).then(
        (secret) => toHex(new Uint8Array(secret)),
        () => 'refused',
      );
      equal(decap, v.decapSharedSecret, `${v.name}: decap (${backend})`);
      const sealed = await c
        .hpkeSealDeterministic(u, h(e.plaintext), h(e.info), new Uint8Array(0), h(e.ikmE), { backend })
        .then(
          (x) => toHex(x.ciphertext),
          (error: Error) => {
            equal(error.name, 'MalformedError', `${v.name}: seal refusal type (${backend})`);
            return 'refused';
          },
        );
      equal(sealed, v.sealCiphertext, `${v.name}: seal (${backend})`);
    }
    // An enc the KEM refuses is a DecryptError for the caller, on every backend.
    const low = e.vectors.find((v) => v.decapSharedSecret === 'refused')!;
    let refusedAs = '';
    await c
      .hpkeOpen(recipient.privateKey, h(low.u), new Uint8Array(32), h(e.info), new Uint8Array(0), { backend })
      .catch((error: Error) => {
        refusedAs = error.name;
      });
    equal(refusedAs, 'DecryptError', `open with a low-order enc (${backend})`);
  }
}

/** Both Argon2id implementations where WebAssembly runs; noble alone elsewhere. */
async function argon2Backends(): Promise<Argon2Backend[]> {
  return (await argon2Backend()) === 'wasm' ? ['noble', 'wasm'] : ['noble'];
}

async function argon2ReferenceSuite(): Promise<void> {
  for (const backend of await argon2Backends()) {
    for (const v of argon2Reference.reference) {
      const tag = await deriveArgon2id(utf8(v.password), utf8(v.salt), { t: v.t, mKib: v.m, p: v.p }, 32, {
        backend,
      });
      bytesEqual(tag, v.tag, `t=${v.t} m=${v.m} p=${v.p} ${v.password}/${v.salt} (${backend})`);
    }
  }
  // RFC 9106 5.3 has a secret and associated data, which only the noble fallback takes.
  const r = argon2Reference.rfc9106;
  const { argon2id: nobleArgon2id } = await import('@noble/hashes/argon2.js');
  const tag = nobleArgon2id(h(r.password), h(r.salt), {
    t: r.t,
    m: r.m,
    p: r.p,
    dkLen: 32,
    key: h(r.secret),
    personalization: h(r.associatedData),
  });
  bytesEqual(tag, r.tag, 'RFC 9106 5.3 (noble)');
}

async function argon2idSuite(): Promise<void> {
  ok(argon2id.vectors.length > 0);
  const nfd = argon2id.vectors.find((v) => v.name.includes('NFD'))!;
  ok(nfd.passphrase !== nfd.passphrase.normalize('NFC'), 'the NFD case is stored in NFD');
  for (const v of argon2id.vectors) {
    bytesEqual(utf8(v.passphrase.normalize('NFC')), v.password, `${v.name}: password bytes`);
    for (const backend of await argon2Backends()) {
      bytesEqual(
        await passphraseKek(v.passphrase, h(v.salt), v.params, { backend }),
        v.kek,
        `${v.name} (${backend})`,
      );
    }
  }
}

export const vectorSuites: Array<{ name: string; run: () => Promise<void> }> = [
  { name: 'RFC 8032 7.1 Ed25519', run: rfc8032Suite },
  { name: 'ed25519-strict.json: one strict Ed25519 verdict on every backend', run: ed25519StrictSuite },
  {
    name: 'ed25519-speccheck (Chalkias et al. 2020): every case refused on every backend',
    run: speccheckSuite,
  },
  { name: 'draft-irtf-cfrg-xchacha A.3.1 XChaCha20-Poly1305', run: xchachaSuite },
  { name: 'RFC 9180 A.2.1 DHKEM(X25519)/HKDF-SHA256/ChaCha20Poly1305 base', run: rfc9180Suite },
  { name: 'identity.json', run: identitySuite },
  { name: 'certificate.json', run: certificateSuite },
  { name: 'hpke.json', run: hpkeSuite },
  { name: 'epoch.json', run: epochSuite },
  { name: 'envelope.json', run: envelopeSuite },
  { name: 'key-wrap.json', run: keyWrapSuite },
  { name: 'seal-to-room.json', run: sealToRoomSuite },
  { name: 'room-info.json', run: roomInfoSuite },
  { name: 'RFC 7748 5.2 and 6.1 X25519 on every HPKE backend', run: rfc7748Suite },
  {
    name: 'hpke-x25519-edge.json: hostile X25519 inputs get one answer on every backend',
    run: x25519EdgeSuite,
  },
  { name: 'phc-winner-argon2 and RFC 9106 Argon2id on every backend', run: argon2ReferenceSuite },
  { name: 'argon2id.json: the store passphrase KEK on every backend', run: argon2idSuite },
];
