/**
 * The script of a VerifyPool worker (verify-pool.ts): verifies the signatures it is sent with
 * core/crypto's verifyBatch, the same checks and backend choice as in-thread, and answers one byte
 * per item; opens envelopes with core/crypto's aeadOpen (a failure is left for the page to redo). Hosts bundle it as a module worker (the demo build: dist/verify-worker.js).
 * @example new Worker(new URL('./verify-worker.js', import.meta.url), { type: 'module' })
 */
import { aeadOpen } from '../crypto/aead.ts';
import { ed25519Backend, verifyBatch } from '../crypto/sign.ts';
import { packOpened, unpack, type VerifyAnswer, type VerifyRequest } from './verify-pool.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<VerifyRequest>) => void) | null;
  postMessage(message: VerifyAnswer, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

// Ready once the backend is chosen (WebCrypto's known-answer test): the pool sends work only then.
void ed25519Backend().then(
  () => scope.postMessage({ id: 0, ready: true }),
  () => scope.postMessage({ id: 0, ready: true }),
);

scope.onmessage = (event) => {
  const { id, kind, count, packed } = event.data ?? ({} as VerifyRequest);
  void (async () => {
    try {
      if (kind === 'open') {
        const opened = packOpened(unpack(packed, count, 4).map(openOne));
        scope.postMessage({ id, opened }, [opened]);
        return;
      }
      const items = unpack(packed, count, 3).map(([publicKey, signature, message]) => ({
        publicKey: publicKey!,
        signature: signature!,
        message: message!,
      }));
      const verdicts = await verifyBatch(items);
      const valid = Uint8Array.from(verdicts, (ok) => (ok ? 1 : 0));
      scope.postMessage({ id, valid }, [valid.buffer]);
    } catch (error) {
      scope.postMessage({ id, error: (error as Error)?.message ?? String(error) });
    }
  })();
};

/** aeadOpen's plaintext, or undefined: the page decrypts those again and says why. */
function openOne([key, nonce, aad, ciphertext]: Uint8Array[]): Uint8Array | undefined {
  try {
    return aeadOpen(key!, nonce!, ciphertext!, aad!);
  } catch {
    return undefined;
  }
}
