/**
 * A DNS-over-HTTPS (RFC 8484) resolver for A and AAAA records: padded queries over GET or POST,
 * hostile-input answers (answer.ts), answers and NXDOMAIN/NODATA kept for their (clamped) TTL,
 * one request in flight per name and type however many callers ask.
 * @example const { addresses } = await new DohResolver({ url: 'https://dns.quad9.net/dns-query' }).resolve('gw.example', 'A');
 */
import { MalformedError } from '../errors.ts';
import { readAnswer } from './answer.ts';
import { AnswerCache, clampTtl, DEFAULT_TTL_BOUNDS, type TtlBounds } from './cache.ts';
import { parseDohUrl } from './endpoint.ts';
import { NameNotFoundError } from './errors.ts';
import { exchange } from './exchange.ts';
import { ipLiteral, normalizeHostname } from './name.ts';
import { type AddressType, encodeQuery, QUERY_ID } from './query.ts';

export interface DohResolverOptions {
  /** The DoH endpoint (checked by parseDohUrl: https, or http on loopback). */
  url: string;
  /** GET (default; cacheable by HTTP caches) or POST. */
  method?: 'GET' | 'POST';
  /** Per request, body included; default 5000. */
  timeoutMs?: number;
  /** Answers larger than this are refused (TooLargeError); default 65535, the DNS maximum. */
  maxResponseBytes?: number;
  ttl?: Partial<TtlBounds>;
  /** Names × types kept; default 256. */
  maxCacheEntries?: number;
  /** Default the platform's fetch. For hosts that must route requests their own way. */
  fetch?: typeof fetch;
  /** Clock for the cache (ms); default Date.now. */
  now?: () => number;
}

/** The addresses of one name and type. */
export interface Resolution {
  name: string;
  type: AddressType;
  addresses: string[];
  /** The end of the CNAME chain (the name itself when there was none). */
  canonicalName: string;
  /** When the cache stops using this answer. */
  expiresAtMs: number;
  fromCache: boolean;
}

/** Every address of a host (IPv4 first), or the host itself when it is an IP literal. */
export interface Lookup {
  name: string;
  addresses: Array<{ address: string; family: 4 | 6 }>;
}

type Entry =
  | { kind: 'addresses'; addresses: string[]; canonicalName: string }
  | { kind: 'nxdomain' | 'nodata'; canonicalName: string };

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new MalformedError(`DohResolver: ${what} must be a positive number.`);
  return value;
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export class DohResolver {
  /** The endpoint, normalized. */
  readonly url: string;
  readonly #endpoint: URL;
  readonly #label: string;
  readonly #method: 'GET' | 'POST';
  readonly #timeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #bounds: TtlBounds;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #cache: AnswerCache<Entry>;
  readonly #pending = new Map<string, Promise<{ value: Entry; expiresAtMs: number }>>();

  /** @example new DohResolver({ url: 'https://cloudflare-dns.com/dns-query', method: 'POST' }) */
  constructor(options: DohResolverOptions) {
    this.url = parseDohUrl(options.url);
    this.#endpoint = new URL(this.url);
    this.#label = `the DoH resolver at ${this.#endpoint.host}`;
    if (options.method !== undefined && options.method !== 'GET' && options.method !== 'POST')
      throw new MalformedError('DohResolver: method must be GET or POST.');
    this.#method = options.method ?? 'GET';
    this.#timeoutMs = positive(options.timeoutMs, 5000, 'timeoutMs');
    this.#maxResponseBytes = positive(options.maxResponseBytes, 65535, 'maxResponseBytes');
    this.#bounds = { ...DEFAULT_TTL_BOUNDS, ...options.ttl };
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#cache = new AnswerCache(positive(options.maxCacheEntries, 256, 'maxCacheEntries'));
  }

  /**
   * The `type` addresses of `name`, from the cache while its TTL lasts. NameNotFoundError when the
   * name does not exist or has no such record (also cached); UnavailableError, MalformedError or
   * TooLargeError when no trustworthy answer came; the signal's reason when `signal` aborts.
   * @example const { addresses } = await resolver.resolve('gw.example', 'AAAA');
   */
  async resolve(
    name: string,
    type: AddressType,
    options: { signal?: AbortSignal } = {},
  ): Promise<Resolution> {
    if (type !== 'A' && type !== 'AAAA')
      throw new MalformedError('DohResolver: only A and AAAA records are resolved.');
    const host = normalizeHostname(name);
    const key = `${host}|${type}`;
    const hit = this.#cache.get(key, this.#now());
    if (hit) return this.#result(host, type, hit.value, hit.expiresAtMs, true);
    let pending = this.#pending.get(key);
    if (!pending) {
      // Shared by every caller, so it runs under its own timeout only: one caller's abort detaches
      // that caller and leaves the request (and its cache entry) to the others.
      pending = this.#ask(host, type, key).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    const { value, expiresAtMs } = await abortable(pending, options.signal);
    return this.#result(host, type, value, expiresAtMs, false);
  }

  /**
   * A and AAAA of `host` together (an IP literal is returned as is, nothing is asked).
   * NameNotFoundError only when neither type has an address; any other failure rejects.
   * @example const { addresses } = await resolver.lookup(new URL(gatewayUrl).hostname);
   */
  async lookup(host: string, options: { signal?: AbortSignal } = {}): Promise<Lookup> {
    const literal = ipLiteral(host);
    if (literal) return { name: host, addresses: [literal] };
    const family = async (type: AddressType) => {
      try {
        return (await this.resolve(host, type, options)).addresses;
      } catch (error) {
        if (error instanceof NameNotFoundError) return error;
        throw error;
      }
    };
    const [v4, v6] = await Promise.all([family('A'), family('AAAA')]);
    if (v4 instanceof NameNotFoundError && v6 instanceof NameNotFoundError)
      throw new NameNotFoundError(
        v4.host,
        'A or AAAA',
        v4.reason === 'nxdomain' ? v4.reason : v6.reason,
        this.#label,
      );
    const list = (addresses: string[] | NameNotFoundError, f: 4 | 6) =>
      addresses instanceof NameNotFoundError ? [] : addresses.map((address) => ({ address, family: f }));
    return { name: normalizeHostname(host), addresses: [...list(v4, 4), ...list(v6, 6)] };
  }

  /** Forgets every cached answer (e.g. after the user changed networks). */
  clearCache(): void {
    this.#cache.clear();
  }

  async #ask(host: string, type: AddressType, key: string): Promise<{ value: Entry; expiresAtMs: number }> {
    const bytes = await exchange(this.#endpoint, encodeQuery(host, type), {
      method: this.#method,
      timeoutMs: this.#timeoutMs,
      maxResponseBytes: this.#maxResponseBytes,
      fetch: this.#fetch,
    });
    const answer = readAnswer(bytes, { name: host, type, id: QUERY_ID }, this.#label);
    const ttlS = clampTtl(answer.ttlS, answer.kind !== 'addresses', this.#bounds);
    const value: Entry =
      answer.kind === 'addresses'
        ? { kind: 'addresses', addresses: answer.addresses, canonicalName: answer.canonicalName }
        : { kind: answer.kind, canonicalName: answer.canonicalName };
    const expiresAtMs = this.#now() + ttlS * 1000;
    this.#cache.set(key, value, expiresAtMs);
    return { value, expiresAtMs };
  }

  #result(
    name: string,
    type: AddressType,
    value: Entry,
    expiresAtMs: number,
    fromCache: boolean,
  ): Resolution {
    if (value.kind !== 'addresses') throw new NameNotFoundError(name, type, value.kind, this.#label);
    return {
      name,
      type,
      addresses: [...value.addresses],
      canonicalName: value.canonicalName,
      expiresAtMs,
      fromCache,
    };
  }
}
