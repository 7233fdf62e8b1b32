// HKDF-SHA256 for @hpke/core's key schedule, computed by @noble/hashes. @hpke/core's own HkdfSha256
// runs every Extract and Expand through WebCrypto (an importKey and a sign or deriveBits each, ~60 µs
// of asynchronous round trip for a few bytes of HMAC); one HPKE seal or open makes about ten such
// calls, which cost more than the X25519 itself. noble's HMAC-SHA256 over these inputs takes ~5 µs.
// HKDF is HKDF: the labels and layouts stay @hpke/core's, and the RFC 9180 vectors check the bytes.
import { HkdfSha256 } from '@hpke/core';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toHex, utf8 } from '../bytes.ts';

type Bytes = ArrayBufferLike | ArrayBufferView;

// The key schedule (RFC 9180 5.1) hashes two public inputs on every seal and open: psk_id_hash of
// the empty psk_id and info_hash of the info string, of which RoomKey has a handful. Each is kept
// once computed. Only these two labels: DeriveKeyPair's and the KEM's extracts take secrets.
const PUBLIC_LABELS = new Set(['psk_id_hash', 'info_hash'].map((label) => toHex(utf8(label))));
const MAX_PUBLIC_INPUT_BYTES = 256;
const MAX_REMEMBERED = 64;

function view(bytes: Bytes): Uint8Array {
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Uint8Array(bytes);
}

function buffer(bytes: Uint8Array): ArrayBuffer {
  // noble returns fresh arrays of their own buffer; hand out exactly their bytes.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

/**
 * @hpke/core's HkdfSha256 (labels, suite id, limits) with Extract and Expand done synchronously by noble.
 * @example new CipherSuite({ kem, kdf: new NobleHkdfSha256(), aead });
 */
export class NobleHkdfSha256 extends HkdfSha256 {
  override async extract(salt: Bytes, ikm: Bytes): Promise<ArrayBuffer> {
    // An empty salt is HashLen zero bytes (RFC 5869); noble's extract does exactly that.
    return buffer(extract(sha256, view(ikm), view(salt)));
  }

  override async expand(prk: Bytes, info: Bytes, len: number): Promise<ArrayBuffer> {
    return buffer(expand(sha256, view(prk), view(info), len));
  }

  private readonly remembered = new Map<string, ArrayBuffer>();

  override async labeledExtract(salt: Bytes, label: Uint8Array, ikm: Uint8Array): Promise<ArrayBuffer> {
    const name = toHex(label);
    if (view(salt).length > 0 || !PUBLIC_LABELS.has(name) || ikm.length > MAX_PUBLIC_INPUT_BYTES)
      return super.labeledExtract(salt, label, ikm);
    const id = `${name}:${toHex(ikm)}`;
    let out = this.remembered.get(id);
    if (out === undefined) {
      out = await super.labeledExtract(salt, label, ikm);
      if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
      this.remembered.set(id, out);
    }
    return out.slice(0); // callers get their own copy
  }

  override async extractAndExpand(salt: Bytes, ikm: Bytes, info: Bytes, len: number): Promise<ArrayBuffer> {
    const prk = extract(sha256, view(ikm), view(salt));
    return buffer(expand(sha256, prk, view(info), len));
  }
}
