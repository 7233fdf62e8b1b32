// Envelope headers built field by field (not a test file itself): the canonical encoding is the
// concatenation of each field's own encoding in field order, so tests can write the same fields in
// another byte string (reordered, repeated, padded, with extra fields) and seal it properly, so that
// only parseEnvelope's canonical check can refuse it.
import { concatBytes, u32be } from '../../../core/bytes.ts';
import { encode } from '../../../core/codec.ts';
import {
  aeadSeal,
  type EnvelopeParts,
  LABEL_ENVELOPE,
  labeledMessage,
  type SealEnvelopeInput,
  sign,
  signingPublicKey,
} from '../../../core/crypto/index.ts';
import { type roomkey, v1 } from '../../../proto/index.ts';

type HeaderField = keyof roomkey.v1.EnvelopeHeader.$Properties;
const ORDER: HeaderField[] = [
  'version',
  'roomId',
  'epoch',
  'senderDeviceKey',
  'senderUserId',
  'messageId',
  'sentAtMs',
  'contentType',
  'nonce',
];

/** Each header field's own encoding, in field-number order (empty for a field at its default). */
export function headerFields(
  input: SealEnvelopeInput & { messageId: Uint8Array; nonce: Uint8Array },
): Uint8Array[] {
  const values: roomkey.v1.EnvelopeHeader.$Properties = {
    version: 1,
    roomId: input.roomId,
    epoch: input.epoch,
    senderDeviceKey: signingPublicKey(input.deviceSecretKey),
    senderUserId: input.senderUserId,
    messageId: input.messageId,
    sentAtMs: input.sentAtMs,
    contentType: input.contentType,
    nonce: input.nonce,
  };
  return ORDER.map((field) => encode(v1.EnvelopeHeader, { [field]: values[field] }));
}

/** Encrypts and signs `header` exactly as sealEnvelope would had it produced those bytes. */
export async function sealWithHeader(
  input: SealEnvelopeInput & { nonce: Uint8Array },
  header: Uint8Array,
): Promise<EnvelopeParts> {
  const ciphertext = aeadSeal(input.messageKey, input.nonce, input.plaintext, header);
  const signed = labeledMessage(LABEL_ENVELOPE, u32be(header.length), header, ciphertext);
  return { header, ciphertext, signature: await sign(signed, input.deviceSecretKey) };
}

/** `value` as a protobuf varint, with `padding` extra continuation bytes (an over-long encoding). */
function varint(value: number, padding = 0): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  } while (rest > 0);
  for (let i = 0; i < padding; i++) bytes.push(0x80);
  bytes[bytes.length - 1]! &= 0x7f;
  return new Uint8Array(bytes);
}

/** Field `n` as a varint (wire type 0) holding `value`, with `padding` extra continuation bytes. */
export function varintField(n: number, value: number, padding = 0): Uint8Array {
  return concatBytes(varint(n * 8), varint(value, padding));
}
