/**
 * A JetStream KV bucket whose values are protobuf records sealed with the server secret (AAD =
 * bucket name and key), with the compare-and-set writes the gateway needs to stay stateless:
 * `create` fails if the key exists, `update` fails if someone else wrote first.
 * @example const users = new SealedKv(kv, 'rk_users', keys.kvRecords, v1.UserRecord);
 */
import type { KV } from '@nats-io/kv';
import { concatBytes, utf8 } from '../core/bytes.ts';
import { decode, encode } from '../core/codec.ts';
import { ConflictError, ReplayError } from '../core/errors.ts';
import { openRecord, sealRecord } from './server-keys.ts';

interface RecordType<T, P> {
  decode(reader: Uint8Array): T;
  encode(message: P): { finish(): Uint8Array };
}

export interface Versioned<T> {
  value: T;
  revision: number;
}

export class SealedKv<T, P> {
  readonly kv: KV;
  readonly bucket: string;
  readonly #key: Uint8Array;
  readonly #type: RecordType<T, P>;

  constructor(kv: KV, bucket: string, key: Uint8Array, type: RecordType<T, P>) {
    this.kv = kv;
    this.bucket = bucket;
    this.#key = key;
    this.#type = type;
  }

  async get(key: string): Promise<Versioned<T> | undefined> {
    const entry = await this.kv.get(key);
    if (entry?.operation !== 'PUT' || entry.value.length === 0) return undefined;
    return { value: this.open(key, entry.value), revision: entry.revision };
  }

  /** Opens a sealed value read elsewhere (a KV watch); TamperedError if it is not ours. */
  open(key: string, sealed: Uint8Array): T {
    const plain = openRecord(this.#key, sealed, this.#aad(key), `${this.bucket}/${key}`);
    return decode(this.#type, plain, `${this.bucket} record`);
  }

  /** Writes only if the key is new; ConflictError otherwise. */
  async create(key: string, value: P, conflict: string): Promise<number> {
    try {
      return await this.kv.create(key, this.#seal(key, value));
    } catch (error) {
      if (isWrongLastSequence(error)) throw new ConflictError(conflict);
      throw error;
    }
  }

  /** Writes only if the key is still at `revision`; ConflictError otherwise. */
  async update(key: string, value: P, revision: number, conflict: string): Promise<number> {
    try {
      return await this.kv.update(key, this.#seal(key, value), revision);
    } catch (error) {
      if (isWrongLastSequence(error)) throw new ConflictError(conflict);
      throw error;
    }
  }

  async put(key: string, value: P): Promise<number> {
    return this.kv.put(key, this.#seal(key, value));
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }

  #seal(key: string, value: P): Uint8Array {
    return sealRecord(this.#key, encode(this.#type, value), this.#aad(key));
  }

  #aad(key: string): Uint8Array {
    return concatBytes(utf8(this.bucket), new Uint8Array([0]), utf8(key));
  }
}

/**
 * Records `key` as used, once across all gateways (create-if-absent, so a single-use token, handle
 * or request cannot be spent twice); ReplayError with `replayMessage` the second time.
 * @example await markUsedOnce(ctx.buckets.loginHandles, `enroll.${id}`, 'enroll_token was already used');
 */
export async function markUsedOnce(
  kv: Pick<KV, 'create'>,
  key: string,
  replayMessage: string,
): Promise<void> {
  try {
    await kv.create(key, new Uint8Array([1]));
  } catch (error) {
    if (isWrongLastSequence(error)) throw new ReplayError(replayMessage);
    throw error;
  }
}

/** KV create/update lost a race (JetStream "wrong last sequence", error code 10071). */
export function isWrongLastSequence(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === 10071 || /wrong last sequence/i.test(e.message)) return true;
  }
  return false;
}
