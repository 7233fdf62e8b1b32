/**
 * The script of a VerifyPool worker (verify-pool.ts): verifies the signatures it is sent with
 * core/crypto's verifyBatch, the same checks and backend choice as in-thread, and answers one byte
 * per item. Hosts bundle it as a module worker (the demo build: dist/verify-worker.js).
 * @example new Worker(new URL('./verify-worker.js', import.meta.url), { type: 'module' })
 */
import { ed25519Backend, verifyBatch } from '../crypto/sign.ts';
import { unpack, type VerifyAnswer, type VerifyRequest } from './verify-pool.ts';

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
  const { id, count, packed } = event.data ?? ({} as VerifyRequest);
  void (async () => {
    try {
      const verdicts = await verifyBatch(unpack(packed, count));
      const valid = Uint8Array.from(verdicts, (ok) => (ok ? 1 : 0));
      scope.postMessage({ id, valid }, [valid.buffer]);
    } catch (error) {
      scope.postMessage({ id, error: (error as Error)?.message ?? String(error) });
    }
  })();
};
