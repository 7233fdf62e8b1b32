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

/**
 * What a worker is sent: `verify` items (public key, signature, message) or `open` items (message
 * key, nonce, associated data, ciphertext), packed field by field (`pack`).
 */
export interface VerifyRequest {
  id: number;
  kind?: 'verify' | 'open';
  count: number;
  packed: ArrayBuffer;
}

/** An envelope to open with its epoch's message key (core/crypto aeadOpen). */
export interface OpenItem {
  key: Uint8Array;
  nonce: Uint8Array;
  aad: Uint8Array;
  ciphertext: Uint8Array;
}

/** What a worker answers: one byte per item (1 valid, 0 not), or why it could not verify. */
export interface VerifyAnswer {
  id: number;
  /** Sent once, when the worker loaded and chose its backend (id 0). */
  ready?: boolean;
  valid?: Uint8Array;
  /** For `open`: each plaintext, or none where it did not open (`packOpened`). */
  opened?: ArrayBuffer;
  error?: string;
}

interface Pending {
  resolve: (answer: VerifyAnswer) => void;
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
    return this.#split(workers, items, async (worker, part) => {
      const fields = part.map((i) => [i.publicKey, i.signature, i.message]);
      const answer = await this.#ask(worker, 'verify', fields).catch(() => {
        this.#fail();
        return undefined;
      });
      // verifyBatch also throws what the worker threw (bad lengths): the same error as in-thread.
      if (!(answer?.valid instanceof Uint8Array)) return verifyBatch(part);
      this.#sent += answer.valid.length;
      return Array.from(answer.valid, (v) => v === 1);
    });
  };

  /**
   * Opens envelopes ahead of their checks: each plaintext, or undefined where it did not open or no
   * worker was ready (the caller then decrypts in-thread, which also says why). Message keys go to
   * the workers (the host's own, same origin); what is opened is used only after every check passed.
   * @example const plaintexts = await pool.open(items);
   */
  open = async (items: readonly OpenItem[]): Promise<Array<Uint8Array | undefined>> => {
    const workers =
      items.length >= MIN_PARALLEL ? this.#start()?.filter((w) => this.#ready.has(w)) : undefined;
    if (!workers?.length) return items.map(() => undefined);
    return this.#split(workers, items, async (worker, part) => {
      const fields = part.map((i) => [i.key, i.nonce, i.aad, i.ciphertext]);
      const answer = await this.#ask(worker, 'open', fields).catch(() => {
        this.#fail();
        return undefined;
      });
      if (!(answer?.opened instanceof ArrayBuffer)) return part.map(() => undefined);
      return unpackOpened(answer.opened, part.length);
    });
  };

  async #split<T, R>(
    workers: Worker[],
    items: readonly T[],
    run: (worker: Worker, part: readonly T[]) => Promise<R[]>,
  ): Promise<R[]> {
    const share = Math.ceil(items.length / workers.length);
    const parts = workers.map((worker, i) => ({ worker, part: items.slice(i * share, (i + 1) * share) }));
    const results = await Promise.all(
      parts.map(({ worker, part }) => (part.length ? run(worker, part) : [])),
    );
    return results.flat();
  }

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

  #ask(worker: Worker, kind: 'verify' | 'open', fields: Uint8Array[][]): Promise<VerifyAnswer> {
    const id = this.#nextId++;
    const { packed, count } = pack(fields);
    return new Promise<VerifyAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error('verify worker did not answer'));
      }, ANSWER_TIMEOUT_MS);
      this.#pending.set(id, { resolve, reject, timer });
      worker.postMessage({ id, kind, count, packed } satisfies VerifyRequest, [packed]);
    });
  }

  #answer(answer: VerifyAnswer): void {
    const pending = this.#pending.get(answer?.id);
    if (!pending) return;
    this.#pending.delete(answer.id);
    clearTimeout(pending.timer);
    if (answer.valid instanceof Uint8Array || answer.opened instanceof ArrayBuffer) pending.resolve(answer);
    else pending.reject(new Error(answer.error ?? 'verify worker failed'));
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
 * Items in one transferable buffer, each field as u32 length + bytes: a subarray of a larger buffer
 * would be cloned whole. Lengths are kept as given, so the worker refuses a wrong one as in-thread.
 * @example const { packed, count } = pack(items.map((i) => [i.publicKey, i.signature, i.message]));
 */
export function pack(items: readonly (readonly Uint8Array[])[]): { packed: ArrayBuffer; count: number } {
  let size = 0;
  for (const fields of items) for (const field of fields) size += 4 + field.length;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const fields of items) {
    for (const field of fields) {
      view.setUint32(at, field.length);
      bytes.set(field, at + 4);
      at += 4 + field.length;
    }
  }
  return { packed: bytes.buffer, count: items.length };
}

/**
 * The items `pack` made, `width` fields each (hostile input: a length past the end is a RangeError,
 * answered as an error).
 * @example const items = unpack(request.packed, request.count, 3);
 */
export function unpack(packed: ArrayBuffer, count: number, width: number): Uint8Array[][] {
  const bytes = new Uint8Array(packed);
  const view = new DataView(packed);
  const items: Uint8Array[][] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const fields: Uint8Array[] = [];
    for (let f = 0; f < width; f++) {
      if (at + 4 > bytes.length) throw new RangeError('verify request: truncated');
      const length = view.getUint32(at);
      if (at + 4 + length > bytes.length) throw new RangeError('verify request: truncated');
      fields.push(bytes.subarray(at + 4, at + 4 + length));
      at += 4 + length;
    }
    items.push(fields);
  }
  return items;
}

const NOT_OPENED = 0xffffffff;

/**
 * Plaintexts in one transferable buffer: u32 length + bytes each, NOT_OPENED where none.
 * @example const buffer = packOpened(plaintexts);
 */
export function packOpened(plaintexts: readonly (Uint8Array | undefined)[]): ArrayBuffer {
  const size = plaintexts.reduce((sum, p) => sum + 4 + (p?.length ?? 0), 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  let at = 0;
  for (const plaintext of plaintexts) {
    view.setUint32(at, plaintext ? plaintext.length : NOT_OPENED);
    if (plaintext) bytes.set(plaintext, at + 4);
    at += 4 + (plaintext?.length ?? 0);
  }
  return bytes.buffer;
}

/** The plaintexts packOpened packed; anything that does not add up counts as not opened. */
function unpackOpened(buffer: ArrayBuffer, count: number): Array<Uint8Array | undefined> {
  const bytes = new Uint8Array(buffer);
  const view = new DataView(buffer);
  const out: Array<Uint8Array | undefined> = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 4 > bytes.length) return [...out, ...Array.from({ length: count - i }, () => undefined)];
    const length = view.getUint32(at);
    at += 4;
    if (length === NOT_OPENED || at + length > bytes.length) {
      out.push(undefined);
      continue;
    }
    out.push(bytes.subarray(at, at + length));
    at += length;
  }
  return out;
}
