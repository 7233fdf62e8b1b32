/**
 * One DoH exchange over HTTP (RFC 8484 §4): the query as GET `?dns=` (base64url, no padding) or
 * as a POST body, `application/dns-message` both ways. Bounded in time (an AbortController ends
 * the request and the body read) and in size (the body is read in chunks and dropped past the
 * cap). Network trouble is UnavailableError, a body over the cap TooLargeError, a body that is
 * not a DNS message MalformedError; a caller's abort rejects with the caller's reason.
 * @example const bytes = await exchange(new URL(url), encodeQuery('gw.example', 'A'), options);
 */
import { toBase64Url } from '../bytes.ts';
import { MalformedError, TooLargeError, UnavailableError } from '../errors.ts';

export const DNS_MESSAGE = 'application/dns-message';

export interface ExchangeOptions {
  method: 'GET' | 'POST';
  timeoutMs: number;
  maxResponseBytes: number;
  fetch: typeof fetch;
  signal?: AbortSignal | undefined;
}

async function readCapped(response: Response, max: number, where: string): Promise<Uint8Array> {
  const tooLarge = () =>
    new TooLargeError(
      `The DNS answer from ${where} is larger than ${max} bytes: the resolver is broken or hostile; choose another resolver.`,
    );
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > max) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function request(
  endpoint: URL,
  query: Uint8Array,
  method: 'GET' | 'POST',
  signal: AbortSignal,
): { url: string; init: RequestInit } {
  // No cookies, no referrer, nothing in the HTTP cache: the resolver learns only the question,
  // and the disk keeps no list of names asked (core's own cache is in memory).
  const common: RequestInit = {
    method,
    signal,
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
    cache: 'no-store',
    redirect: 'manual',
  };
  if (method === 'POST')
    return {
      url: endpoint.href,
      init: {
        ...common,
        headers: { accept: DNS_MESSAGE, 'content-type': DNS_MESSAGE },
        body: query as BodyInit,
      },
    };
  const url = new URL(endpoint);
  url.searchParams.set('dns', toBase64Url(query));
  return { url: url.href, init: { ...common, headers: { accept: DNS_MESSAGE } } };
}

function checkResponse(response: Response, where: string): void {
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400))
    throw new UnavailableError(
      `The DoH resolver ${where} redirected the request: enter the address it redirects to, or choose another resolver.`,
    );
  if (!response.ok)
    throw new UnavailableError(
      `The DoH resolver ${where} answered HTTP ${response.status}: check that the URL is a DNS-over-HTTPS endpoint, try again later, or choose another resolver.`,
    );
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== DNS_MESSAGE)
    throw new MalformedError(
      `The resolver ${where} answered ${JSON.stringify(type.slice(0, 60))}, not ${DNS_MESSAGE}: check that the URL is a DNS-over-HTTPS endpoint.`,
    );
}

/**
 * Sends `query` to the DoH `endpoint` and returns the answer's bytes (not yet checked).
 * @example const answer = await exchange(new URL('https://dns.quad9.net/dns-query'), query, { method: 'GET', timeoutMs: 5000, maxResponseBytes: 65535, fetch });
 */
export async function exchange(
  endpoint: URL,
  query: Uint8Array,
  options: ExchangeOptions,
): Promise<Uint8Array> {
  const where = `at ${endpoint.host}`;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const { url, init } = request(endpoint, query, options.method, signal);
  try {
    const response = await options.fetch(url, init);
    try {
      checkResponse(response, where);
    } catch (error) {
      await response.body?.cancel().catch(() => {});
      throw error;
    }
    return await readCapped(response, options.maxResponseBytes, where);
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.signal.aborted)
      throw new UnavailableError(
        `The DoH resolver ${where} did not answer within ${options.timeoutMs / 1000} s: check the network connection, or choose another resolver.`,
        { cause: error },
      );
    if (
      error instanceof MalformedError ||
      error instanceof TooLargeError ||
      error instanceof UnavailableError
    )
      throw error;
    throw new UnavailableError(
      `The DoH resolver ${where} could not be reached (${(error as Error)?.message ?? error}): check the network connection and the resolver URL, or choose another resolver.`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }
}
