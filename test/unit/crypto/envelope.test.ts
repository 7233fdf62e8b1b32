import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concatBytes, toHex } from '../../../core/bytes.ts';
import { decode, encode } from '../../../core/codec.ts';
import {
  createDeviceKey,
  decodeMessageContent,
  decryptEnvelope,
  deriveMessageKey,
  encodeEnvelope,
  encodeMessageContent,
  MAX_ENVELOPE_BYTES,
  type ParsedEnvelope,
  parseEnvelope,
  type SealEnvelopeInput,
  sealEnvelope,
  verifyEnvelopeSignature,
  verifyEnvelopeSignatures,
} from '../../../core/crypto/index.ts';
import {
  BadSignatureError,
  DecryptError,
  MalformedError,
  TooLargeError,
  UnsupportedError,
} from '../../../core/errors.ts';
import { v1 } from '../../../proto/index.ts';
import { headerFields, sealWithHeader, varintField } from './_envelope-headers.ts';
import { BACKENDS, filled, flipBit } from './_helpers.ts';

const device = createDeviceKey(filled(1));
const intruder = createDeviceKey(filled(2));
const messageKey = deriveMessageKey(filled(3), 'room-1', 7);
const input: SealEnvelopeInput = {
  roomId: 'room-1',
  epoch: 7,
  senderUserId: 'u-ada',
  sentAtMs: 1_700_000_000_000,
  contentType: v1.ContentType.CONTENT_TYPE_TEXT,
  plaintext: encodeMessageContent({ text: 'hello room' }),
  messageKey,
  deviceSecretKey: device.secretKey,
};

async function open(bytes: Uint8Array, key = messageKey): Promise<Uint8Array> {
  const parsed = parseEnvelope(bytes);
  await verifyEnvelopeSignature(parsed);
  return decryptEnvelope(parsed, key);
}

/** Re-encodes the header with `change` applied, keeping ciphertext and signature. */
function withHeader(
  env: { header: Uint8Array; ciphertext: Uint8Array; signature: Uint8Array },
  change: object,
) {
  const header = encode(v1.EnvelopeHeader, { ...decode(v1.EnvelopeHeader, env.header, 'h'), ...change });
  return encodeEnvelope({ ...env, header });
}

test('seal, parse, verify, decrypt round trip on every backend', async () => {
  for (const backend of BACKENDS) {
    const env = await sealEnvelope(input, { backend });
    const parsed = parseEnvelope(encodeEnvelope(env));
    assert.equal(parsed.header.version, 1);
    assert.equal(parsed.header.roomId, 'room-1');
    assert.equal(parsed.header.epoch, 7);
    assert.equal(parsed.header.senderUserId, 'u-ada');
    assert.equal(toHex(parsed.header.senderDeviceKey), toHex(device.publicKey));
    assert.equal(parsed.header.messageId.length, 16);
    assert.equal(parsed.header.nonce.length, 24);
    assert.equal(toHex(parsed.headerBytes), toHex(env.header));
    await verifyEnvelopeSignature(parsed, { backend });
    assert.equal(decodeMessageContent(decryptEnvelope(parsed, messageKey)).text, 'hello room');
    // parseEnvelope also takes the decoded fields.
    assert.equal(toHex(parseEnvelope(env).ciphertext), toHex(env.ciphertext));
  }
});

test('every seal has a fresh nonce and message id', async () => {
  const a = parseEnvelope(await sealEnvelope(input));
  const b = parseEnvelope(await sealEnvelope(input));
  assert.notEqual(toHex(a.header.nonce), toHex(b.header.nonce));
  assert.notEqual(toHex(a.header.messageId), toHex(b.header.messageId));
});

test('the wrong message key: DecryptError', async () => {
  const bytes = encodeEnvelope(await sealEnvelope(input));
  await assert.rejects(open(bytes, deriveMessageKey(filled(3), 'room-1', 8)), DecryptError);
});

test('changed header fields, ciphertext or signature: BadSignatureError', async () => {
  const env = await sealEnvelope(input);
  for (const change of [
    { epoch: 8 },
    { roomId: 'room-2' },
    { senderUserId: 'u-eve' },
    { sentAtMs: 1 },
    { contentType: 3 },
  ]) {
    await assert.rejects(open(withHeader(env, change)), BadSignatureError, JSON.stringify(change));
  }
  await assert.rejects(
    open(encodeEnvelope({ ...env, ciphertext: flipBit(env.ciphertext, 0) })),
    BadSignatureError,
  );
  await assert.rejects(
    open(encodeEnvelope({ ...env, signature: flipBit(env.signature, 9) })),
    BadSignatureError,
  );
});

test('a header naming another device (signature by the real one): BadSignatureError', async () => {
  const env = await sealEnvelope(input);
  await assert.rejects(open(withHeader(env, { senderDeviceKey: intruder.publicKey })), BadSignatureError);
});

test('a re-signed envelope by an intruder verifies only under the intruder device key', async () => {
  // Membership is core/room's job: crypto proves which device signed, nothing more.
  const env = await sealEnvelope({ ...input, deviceSecretKey: intruder.secretKey });
  const parsed = parseEnvelope(env);
  assert.equal(toHex(parsed.header.senderDeviceKey), toHex(intruder.publicKey));
  await verifyEnvelopeSignature(parsed);
});

test('outer encoding must be canonical: unknown, repeated or reordered fields are MalformedError', async () => {
  const env = await sealEnvelope(input);
  const bytes = encodeEnvelope(env);
  const field = (n: number, value: Uint8Array) =>
    concatBytes(new Uint8Array([(n << 3) | 2, value.length]), value);
  await assert.rejects(open(concatBytes(bytes, field(4, new Uint8Array(0)))), MalformedError);
  await assert.rejects(open(concatBytes(bytes, field(3, env.signature))), MalformedError); // repeated, same value
  const reordered = concatBytes(
    field(3, env.signature),
    encode(v1.Envelope, { header: env.header, ciphertext: env.ciphertext }),
  );
  await assert.rejects(open(reordered), MalformedError);
});

test('the header must be canonical too: each other byte string of the same fields is MalformedError', async () => {
  // Every variant below is encrypted with the header as AAD and signed by the real device key, so
  // only the canonical check can refuse it (without it, each one opens).
  const sealed = { ...input, epoch: 0, messageId: filled(9, 16), nonce: filled(8, 24) };
  const parts = headerFields(sealed);
  const canonical = concatBytes(...parts);
  const honest = await sealEnvelope(sealed);
  assert.equal(toHex(canonical), toHex(honest.header), 'the field-by-field encoding is the canonical one');
  assert.equal(parts[2]!.length, 0, 'epoch 0 is omitted');
  const reopen = async (header: Uint8Array) => open(encodeEnvelope(await sealWithHeader(sealed, header)));
  assert.equal(toHex(await reopen(canonical)), toHex(sealed.plaintext), 'the canonical header opens');
  const [version, roomId, , ...rest] = parts;
  const variants: Record<string, Uint8Array> = {
    'unknown field at the end': concatBytes(canonical, varintField(15, 1)),
    'unknown field in the middle': concatBytes(version!, roomId!, varintField(12, 0), ...rest),
    'repeated field (same value)': concatBytes(canonical, roomId!),
    'reordered fields': concatBytes(roomId!, version!, ...rest),
    'explicit default (epoch 0)': concatBytes(version!, roomId!, varintField(3, 0), ...rest),
    'over-long varint (version 1 in two bytes)': concatBytes(varintField(1, 1, 1), roomId!, ...rest),
    'over-long length prefix (room id)': concatBytes(
      version!,
      new Uint8Array([0x12, 0x80 | (roomId!.length - 2), 0x00]),
      roomId!.subarray(2),
      ...rest,
    ),
  };
  const outcomes: string[] = [];
  for (const [name, header] of Object.entries(variants)) {
    assert.notEqual(toHex(header), toHex(canonical), name);
    const outcome = await reopen(header).then(
      () => 'opened',
      (e: Error) =>
        e instanceof MalformedError && /^envelope header: not in canonical/.test(e.message)
          ? 'refused'
          : `${e}`,
    );
    if (outcome !== 'refused') outcomes.push(`${name}: ${outcome}`);
  }
  assert.deepEqual(outcomes, [], 'every variant is refused as non-canonical');
});

test('missing or wrong-length fields: MalformedError; unknown version: UnsupportedError', async () => {
  const env = await sealEnvelope(input);
  assert.throws(() => parseEnvelope({ ...env, header: new Uint8Array(0) }), MalformedError);
  assert.throws(() => parseEnvelope({ ...env, signature: env.signature.subarray(1) }), MalformedError);
  assert.throws(() => parseEnvelope({ ...env, ciphertext: new Uint8Array(15) }), MalformedError);
  assert.throws(() => parseEnvelope(withHeader(env, { messageId: filled(1, 15) })), MalformedError);
  assert.throws(() => parseEnvelope(withHeader(env, { nonce: filled(1, 12) })), MalformedError);
  assert.throws(() => parseEnvelope(withHeader(env, { senderDeviceKey: filled(1, 33) })), MalformedError);
  assert.throws(() => parseEnvelope(withHeader(env, { roomId: '' })), MalformedError);
  assert.throws(() => parseEnvelope(withHeader(env, { senderUserId: '' })), MalformedError);
  assert.throws(() => parseEnvelope(withHeader(env, { version: 2 })), UnsupportedError);
  assert.throws(() => parseEnvelope(withHeader(env, { version: 0 })), UnsupportedError);
  assert.throws(() => parseEnvelope(new Uint8Array([0x0a, 0x05, 0x01])), MalformedError);
  assert.throws(() => parseEnvelope(new Uint8Array(MAX_ENVELOPE_BYTES + 1)), TooLargeError);
  assert.throws(() => parseEnvelope('bytes' as never), MalformedError);
});

test('invalid UTF-8 in a signed header id is MalformedError, not a replacement character', async () => {
  const env = await sealEnvelope(input);
  // Patch "room-1" to "room-\xff" in place: same length, so the header still parses structurally.
  const header = env.header.slice();
  const at = toHex(header).indexOf(toHex(new TextEncoder().encode('room-1'))) / 2;
  header[at + 5] = 0xff;
  assert.throws(() => parseEnvelope({ ...env, header }), MalformedError);
});

test('parsed envelopes are frozen and must come from parseEnvelope', async () => {
  const parsed = parseEnvelope(await sealEnvelope(input));
  assert.ok(Object.isFrozen(parsed) && Object.isFrozen(parsed.header));
  const forged = { ...parsed } as ParsedEnvelope;
  await assert.rejects(verifyEnvelopeSignature(forged), MalformedError);
  assert.throws(() => decryptEnvelope(forged, messageKey), MalformedError);
  await assert.rejects(verifyEnvelopeSignatures([forged]), MalformedError);
});

test('batch verification flags exactly the bad envelopes', async () => {
  const good = await sealEnvelope(input);
  const bad = { ...good, ciphertext: flipBit(good.ciphertext, 3) };
  for (const backend of BACKENDS) {
    const results = await verifyEnvelopeSignatures(
      [good, bad, good].map((e) => parseEnvelope(e)),
      { backend },
    );
    assert.deepEqual(results, [true, false, true]);
  }
});

test('bad seal inputs: MalformedError / TooLargeError', async () => {
  await assert.rejects(sealEnvelope({ ...input, messageKey: filled(1, 16) }), MalformedError);
  await assert.rejects(sealEnvelope({ ...input, nonce: filled(1, 12) }), MalformedError);
  await assert.rejects(sealEnvelope({ ...input, messageId: filled(1, 8) }), MalformedError);
  await assert.rejects(sealEnvelope({ ...input, epoch: -1 }), MalformedError);
  await assert.rejects(sealEnvelope({ ...input, roomId: '' }), MalformedError);
  await assert.rejects(sealEnvelope({ ...input, contentType: -1 as never }), MalformedError);
  await assert.rejects(sealEnvelope({ ...input, deviceSecretKey: filled(1, 64) }), MalformedError);
  await assert.rejects(
    sealEnvelope({ ...input, plaintext: new Uint8Array(MAX_ENVELOPE_BYTES) }),
    TooLargeError,
  );
});

test('a parsed envelope exposes what core/room needs: room, epoch, sender, message id', async () => {
  const messageId = filled(0xab, 16);
  const parsed: ParsedEnvelope = parseEnvelope(await sealEnvelope({ ...input, messageId }));
  assert.equal(toHex(parsed.header.messageId), toHex(messageId));
  assert.equal(parsed.header.sentAtMs, input.sentAtMs);
  assert.equal(parsed.header.contentType, v1.ContentType.CONTENT_TYPE_TEXT);
});
