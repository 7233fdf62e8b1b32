// ChaCha20-Poly1305 for @hpke/core's contexts, computed by @noble/ciphers. @hpke/chacha20poly1305
// carries its own copy of noble's ChaCha20 and Poly1305 (4 KiB gzipped), beside the @noble/ciphers
// every RoomKey bundle already has for XChaCha20-Poly1305 (issue 19). The AEAD is the same function
// of the same library: key, 12-byte nonce and AAD in, ciphertext || 16-byte tag out; the RFC 9180
// vectors check the bytes in Node and Chromium.
import { type AeadEncryptionContext, AeadId, type AeadInterface } from '@hpke/core';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';

type Bytes = ArrayBufferLike | ArrayBufferView;

function view(bytes: Bytes): Uint8Array {
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new Uint8Array(bytes);
}

function buffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? (bytes.buffer as ArrayBuffer)
    : (bytes.slice().buffer as ArrayBuffer);
}

class NobleChacha20Poly1305Context implements AeadEncryptionContext {
  readonly #key: Uint8Array;

  constructor(key: Bytes) {
    this.#key = view(key).slice();
  }

  async seal(iv: Bytes, data: Bytes, aad: Bytes): Promise<ArrayBuffer> {
    return buffer(chacha20poly1305(this.#key, view(iv), view(aad)).encrypt(view(data)));
  }

  async open(iv: Bytes, data: Bytes, aad: Bytes): Promise<ArrayBuffer> {
    return buffer(chacha20poly1305(this.#key, view(iv), view(aad)).decrypt(view(data)));
  }
}

/**
 * HPKE's ChaCha20Poly1305 AEAD (id 0x0003) on @noble/ciphers.
 * @example new CipherSuite({ kem, kdf, aead: new NobleChacha20Poly1305() })
 */
export class NobleChacha20Poly1305 implements AeadInterface {
  readonly id = AeadId.Chacha20Poly1305;
  readonly keySize = 32;
  readonly nonceSize = 12;
  readonly tagSize = 16;

  createEncryptionContext(key: ArrayBufferLike): AeadEncryptionContext {
    return new NobleChacha20Poly1305Context(key);
  }
}
