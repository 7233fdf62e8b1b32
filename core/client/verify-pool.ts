/**
 * Signature verification of a catch-up in a pool of Web Workers. In Chromium a WebCrypto Ed25519
 * verify runs on the calling thread (~57 µs each): a 10,000-message catch-up spent ~570 ms of the
 * page's main thread in it. The pool splits a batch between its workers, each running core/crypto's
 * `verifyBatch` (the same strict checks and backend choice), so verdicts are the same as in-thread;
 * only where the work runs changes. The host supplies the worker (its script is
 * `verify-pool-worker.ts`, bundled as the host bundles): a page, the extension and tests each load it
 * their own way, and core stays free of bundler or URL assumptions. A worker that fails (cannot load,
 * a CSP without `worker-src`, an error, no answer) makes the pool verify in-thread from then on.
 * Only public data goes to the workers: signatures, signed bytes, public keys.
 * @example const pool = new VerifyPool(() => new Worker(url, { type: 'module' })); const ok = await pool.verify(items);
 */
// sign.ts, not the crypto index: the worker's bundle needs no protobuf.
import { type VerifyItem, verifyBatch } from '../crypto/sign.ts';

/** Batches smaller than this are verified in-thread: a worker round trip costs more. */
export const MIN_PARALLEL = 64;
/** A worker silent this long is taken as broken (its share is verified in-thread). */
const ANSWER_TIMEOUT_MS = 15_000;

/** What a worker is sent: items packed as u32 message length, 32-byte key, 64-byte signature, message. */
export interface VerifyRequest {
  id: number;
  count: number;
  packed: ArrayBuffer;
}

/** What a worker answers: one byte per item (1 valid, 0 not), or why it could not verify. */
export interface VerifyAnswer {
  id: number;
  /** Sent once, when the worker loaded and chose its backend (id 0). */
  ready?: boolean;
  valid?: Uint8Array;
  error?: string;
}

interface Pending {
  resolve: (valid: boolean[]) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The workers a pool may use (hardware threads, at least 1, at most 4). */
function defaultSize(): number {
  const cores = typeof navigator === 'undefined' ? 1 : (navigator.hardwareConcurrency ?? 1);
  return Math.max(1, Math.min(4, cores));
}

/**
 * A pool of verify workers, started at the first batch large enough to share.
 * @example const valid = await new VerifyPool(makeWorker).verify(items);
 */
export class VerifyPool {
  readonly #createWorker: () => Worker;
  readonly #size: number;
  #workers: Worker[] | undefined;
  readonly #ready = new WeakSet<Worker>();
  #broken = false;
  #nextId = 1;
  #sent = 0;
  readonly #pending = new Map<number, Pending>();

  constructor(createWorker: () => Worker, size: number = defaultSize()) {
    this.#createWorker = createWorker;
    this.#size = Math.max(1, Math.floor(size));
  }

  /** How many items workers verified so far (tests, bench). */
  get verifiedInWorkers(): number {
    return this.#sent;
  }

  /** False once a worker failed: batches are verified in-thread. */
  get usable(): boolean {
    return !this.#broken;
  }

  /**
   * Starts the workers now (they load while the caller does other work); resolves when one is ready.
   * @example await pool.warm();
   */
  async warm(): Promise<void> {
    for (let waited = 0; waited < ANSWER_TIMEOUT_MS && this.#start(); waited += 10) {
      if (this.#workers?.some((w) => this.#ready.has(w))) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /**
   * One boolean per item, as core/crypto's verifyBatch gives.
   * @example const valid = await pool.verify(items);
   */
  verify = async (items: readonly VerifyItem[]): Promise<boolean[]> => {
    // Workers still loading do not hold the batch up: it is verified here meanwhile.
    const workers =
      items.length >= MIN_PARALLEL ? this.#start()?.filter((w) => this.#ready.has(w)) : undefined;
    if (!workers?.length) return verifyBatch(items);
    const share = Math.ceil(items.length / workers.length);
    const parts = workers.map((worker, i) => ({ worker, part: items.slice(i * share, (i + 1) * share) }));
    const verdicts = await Promise.all(
      parts.map(({ worker, part }) =>
        part.length === 0
          ? []
          : this.#ask(worker, part).catch(() => {
              this.#fail();
              // verifyBatch also throws what the worker threw (bad lengths): the same error as in-thread.
              return verifyBatch(part);
            }),
      ),
    );
    return verdicts.flat();
  };

  /** Ends the workers; later batches are verified in-thread. */
  close(): void {
    this.#fail();
  }

  #start(): Worker[] | undefined {
    if (this.#broken) return undefined;
    if (this.#workers) return this.#workers;
    try {
      this.#workers = Array.from({ length: this.#size }, () => this.#spawn());
    } catch {
      this.#fail();
      return undefined;
    }
    return this.#workers;
  }

  #spawn(): Worker {
    const worker = this.#createWorker();
    worker.addEventListener('message', (event: MessageEvent<VerifyAnswer>) => {
      if (event.data?.ready === true) this.#ready.add(worker);
      else this.#answer(event.data);
    });
    // A script that does not load, or throws, fires 'error'; an answer that cannot be read, 'messageerror'.
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      this.#fail();
    });
    worker.addEventListener('messageerror', () => this.#fail());
    return worker;
  }

  #ask(worker: Worker, items: readonly VerifyItem[]): Promise<boolean[]> {
    const id = this.#nextId++;
    const { packed, count } = pack(items);
    return new Promise<boolean[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error('verify worker did not answer'));
      }, ANSWER_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, count, packed } satisfies VerifyRequest, [packed]);
    });
  }

  #answer(answer: VerifyAnswer): void {
    const pending = this.#pending.get(answer?.id);
    if (!pending) return;
    this.#pending.delete(answer.id);
    clearTimeout(pending.timer);
    if (answer.valid instanceof Uint8Array) {
      this.#sent += answer.valid.length;
      pending.resolve(Array.from(answer.valid, (v) => v === 1));
    } else pending.reject(new Error(answer.error ?? 'verify worker failed'));
  }

  #fail(): void {
    this.#broken = true;
    for (const worker of this.#workers ?? []) worker.terminate();
    this.#workers = undefined;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.reject(new Error('verify worker stopped'));
      this.#pending.delete(id);
    }
  }
}

/**
 * Items in one transferable buffer: a subarray of a larger buffer would be cloned whole.
 * Lengths are kept as given, so the worker's verifyBatch refuses a wrong one as in-thread.
 */
export function pack(items: readonly VerifyItem[]): { packed: ArrayBuffer; count: number } {
  let size = 0;
  for (const item of items) size += 12 + item.publicKey.length + item.signature.length + item.message.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const { publicKey, signature, message } of items) {
    view.setUint32(at, publicKey.length);
    view.setUint32(at + 4, signature.length);
    view.setUint32(at + 8, message.length);
    at += 12;
    bytes.set(publicKey, at);
    at += publicKey.length;
    bytes.set(signature, at);
    at += signature.length;
    bytes.set(message, at);
    at += message.length;
  }
  return { packed: bytes.buffer, count: items.length };
}

/**
 * The items `pack` made (hostile input: a length past the end is a RangeError, answered as an error).
 * @example const items = unpack(request.packed, request.count);
 */
export function unpack(packed: ArrayBuffer, count: number): VerifyItem[] {
  const bytes = new Uint8Array(packed);
  const view = new DataView(packed);
  const items: VerifyItem[] = [];
  let at = 0;
  const take = (length: number) => {
    if (at + length > bytes.length) throw new RangeError('verify request: truncated');
    const part = bytes.subarray(at, at + length);
    at += length;
    return part;
  };
  for (let i = 0; i < count; i++) {
    if (at + 12 > bytes.length) throw new RangeError('verify request: truncated');
    const keyLength = view.getUint32(at);
    const signatureLength = view.getUint32(at + 4);
    const messageLength = view.getUint32(at + 8);
    at += 12;
    const publicKey = take(keyLength);
    const signature = take(signatureLength);
    const message = take(messageLength);
    items.push({ publicKey, signature, message });
  }
  return items;
}
