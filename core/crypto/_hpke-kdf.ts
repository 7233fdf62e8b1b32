// HKDF-SHA256 for @hpke/core's key schedule, computed by @noble/hashes. @hpke/core's own HkdfSha256
// runs every Extract and Expand through WebCrypto (an importKey and a sign or deriveBits each, ~60 µs
// of asynchronous round trip for a few bytes of HMAC); one HPKE seal or open makes about ten such
// calls, which cost more than the X25519 itself. noble's HMAC-SHA256 over these inputs takes ~5 µs.
// HKDF is HKDF: the labels and layouts stay @hpke/core's, and the RFC 9180 vectors check the bytes.
import { HkdfSha256 } from '@hpke/core';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';

type Bytes = ArrayBufferLike | ArrayBufferView;

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

  override async extractAndExpand(salt: Bytes, ikm: Bytes, info: Bytes, len: number): Promise<ArrayBuffer> {
    const prk = extract(sha256, view(ikm), view(salt));
    return buffer(expand(sha256, prk, view(info), len));
  }
}
