// A push service for tests: an HTTP server on 127.0.0.1 that plays the push service's side of
// RFC 8030. It issues endpoints (each with a P-256 key pair and auth secret made here, as a
// browser would), checks every request's VAPID JWT (RFC 8292: ES256 signature by the `k` key,
// `aud` = this origin, `exp` in the future and at most 24 h away, `sub` a mailto: or https: URL),
// decrypts the aes128gcm body (RFC 8291) with the endpoint's keys through `http_ece` (the same
// library web-push encrypts with, but its decrypt side), records what it got, and answers with
// the statuses the test chose (201 by default; 404, 410, 429 with Retry-After, 500, or a dropped
// connection for "down"). A callback gets every decrypted payload, so a test can forward it to a
// browser with CDP ServiceWorker.deliverPushMessage.
import { createECDH, createPublicKey, randomBytes, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

interface Ece {
  decrypt(buffer: Buffer, params: { version: string; privateKey: unknown; authSecret: string }): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as Ece;

/** What a browser's PushSubscription.toJSON() gives (and what the gateway stores). */
export interface TestSubscription {
  endpoint: string;
  expirationTime: null;
  keys: { p256dh: string; auth: string };
}

/** One request the push service got. */
export interface ReceivedPush {
  /** The endpoint's id (the last path segment). */
  id: string;
  endpoint: string;
  /** The status we answered (0: the connection was dropped, "down"). */
  status: number;
  /** The decrypted payload; undefined when the request was refused before decryption. */
  payload?: Uint8Array;
  /** Bytes of the encrypted body as sent. */
  bodyLength: number;
  ttl?: string;
  urgency?: string;
  topic?: string;
  contentEncoding?: string;
  /** The VAPID claims (when the JWT parsed) and the key it was signed with. */
  jwt?: { aud?: unknown; exp?: unknown; sub?: unknown };
  vapidKey?: string;
  /** Why the request was refused (bad VAPID, bad encryption); undefined when accepted. */
  error?: string;
  atMs: number;
}

/** An answer the test chose: a status (with Retry-After seconds for 429/503), or "down". */
export type PushAnswer = number | { status: number; retryAfter?: number } | 'down';

export interface TestPushService {
  /** The origin, e.g. http://127.0.0.1:41234 (the JWT's `aud` must be this). */
  readonly origin: string;
  /** Everything received, in order. */
  readonly received: ReceivedPush[];
  /** A new endpoint with fresh keys, as PushSubscription.toJSON() would give it. */
  newSubscription(): TestSubscription;
  /** Answers queued for one endpoint (or every endpoint when `endpoint` is undefined), used in order. */
  answer(endpoint: string | undefined, ...answers: PushAnswer[]): void;
  /** Every request is dropped (connection reset) until set back to false. */
  setDown(down: boolean): void;
  /** Called with each accepted, decrypted payload (e.g. to forward it to a browser over CDP). */
  onPush(callback: ((push: ReceivedPush) => void | Promise<void>) | undefined): void;
  /** Requests received for an endpoint (all when undefined). */
  receivedFor(endpoint?: string): ReceivedPush[];
  /** Resolves once `count` requests (for `endpoint`, or any) have arrived; rejects after `timeoutMs`. */
  waitFor(count: number, options?: { endpoint?: string; timeoutMs?: number }): Promise<ReceivedPush[]>;
  /** The VAPID public key the test expects (base64url); requests signed with another are refused with 403. */
  expectVapidKey(publicKey: string | undefined): void;
  stop(): Promise<void>;
}

const MAX_BODY = 4096; // RFC 8030 §7.2: a push service must accept at least 4096 bytes
const DAY_S = 24 * 3600;

/**
 * Starts a push service on 127.0.0.1 (see the top of this file).
 * @example const push = await startPushService(); const sub = push.newSubscription();
 */
export async function startPushService(): Promise<TestPushService> {
  const endpoints = new Map<string, { ecdh: ReturnType<typeof createECDH>; auth: Buffer }>();
  const received: ReceivedPush[] = [];
  const queued = new Map<string, PushAnswer[]>();
  const waiters = new Set<() => void>();
  let down = false;
  let callback: ((push: ReceivedPush) => void | Promise<void>) | undefined;
  let vapidKey: string | undefined;
  let origin = '';

  const nextAnswer = (id: string): PushAnswer => queued.get(id)?.shift() ?? queued.get('*')?.shift() ?? 201;
  const record = (push: ReceivedPush) => {
    received.push(push);
    for (const wake of [...waiters]) wake();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const id = url.pathname.split('/').pop() ?? '';
    const keys = endpoints.get(id);
    if (req.method !== 'POST' || !url.pathname.startsWith('/push/') || !keys) {
      res.writeHead(404).end();
      return;
    }
    const body = await readBody(req);
    const push: ReceivedPush = {
      id,
      endpoint: `${origin}/push/${id}`,
      status: 0,
      bodyLength: body?.length ?? -1,
      ttl: header(req, 'ttl'),
      urgency: header(req, 'urgency'),
      topic: header(req, 'topic'),
      contentEncoding: header(req, 'content-encoding'),
      atMs: Date.now(),
    };
    const answer = down ? 'down' : nextAnswer(id);
    if (answer === 'down') {
      record(push);
      req.socket.destroy();
      return;
    }
    const refuse = (status: number, error: string) => {
      push.status = status;
      push.error = error;
      record(push);
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`${error}\n`);
    };
    if (!body) return refuse(413, `payload larger than ${MAX_BODY} bytes`);
    const vapid = checkVapid(header(req, 'authorization'), origin, vapidKey);
    push.jwt = vapid.claims;
    push.vapidKey = vapid.key;
    if (vapid.error) return refuse(vapid.status, vapid.error);
    if (push.ttl === undefined || !/^\d+$/.test(push.ttl))
      return refuse(400, 'TTL header missing or not a number');
    if (push.contentEncoding !== 'aes128gcm') return refuse(415, 'Content-Encoding must be aes128gcm');
    try {
      push.payload = new Uint8Array(
        ece.decrypt(body, {
          version: 'aes128gcm',
          privateKey: keys.ecdh,
          authSecret: keys.auth.toString('base64url'),
        }),
      );
    } catch (error) {
      return refuse(400, `does not decrypt with the subscription's keys: ${(error as Error).message}`);
    }
    const { status, retryAfter } =
      typeof answer === 'number' ? { status: answer, retryAfter: undefined } : answer;
    push.status = status;
    record(push);
    const headers: Record<string, string> = {};
    if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
    if (status === 201) headers.Location = `${origin}/message/${randomBytes(8).toString('hex')}`;
    res.writeHead(status, headers).end();
    if (status === 201) await callback?.(push);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(500).end(error.message);
    });
  });
  await new Promise<void>((done, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => done());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const matching = (endpoint?: string) =>
    endpoint === undefined ? [...received] : received.filter((r) => r.endpoint === endpoint);
  return {
    origin,
    received,
    newSubscription() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      const id = randomBytes(12).toString('base64url');
      endpoints.set(id, { ecdh, auth });
      return {
        endpoint: `${origin}/push/${id}`,
        expirationTime: null,
        keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
      };
    },
    answer(endpoint, ...answers) {
      const id = endpoint === undefined ? '*' : (endpoint.split('/').pop() ?? '');
      queued.set(id, [...(queued.get(id) ?? []), ...answers]);
    },
    setDown(value) {
      down = value;
    },
    onPush(cb) {
      callback = cb;
    },
    receivedFor: matching,
    expectVapidKey(publicKey) {
      vapidKey = publicKey;
    },
    waitFor(count, options = {}) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      return new Promise((resolve, reject) => {
        const check = () => {
          const got = matching(options.endpoint);
          if (got.length < count) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(got);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `push service: ${matching(options.endpoint).length} of ${count} pushes after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or undefined when it is larger than a push service must accept. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** RFC 8292 §3: `Authorization: vapid t=<JWT>, k=<public key>`; the JWT is ES256 over aud/exp/sub. */
function checkVapid(
  authorization: string | undefined,
  audience: string,
  expectedKey: string | undefined,
): { error?: string; status: number; claims?: ReceivedPush['jwt']; key?: string } {
  const match = /^vapid\s+t=([^,\s]+)\s*,\s*k=([A-Za-z0-9_-]+)\s*$/i.exec(authorization ?? '');
  if (!match) return { status: 401, error: 'Authorization is not "vapid t=…, k=…"' };
  const [, token, key] = match as unknown as [string, string, string];
  const parts = token.split('.');
  if (parts.length !== 3) return { status: 401, error: 'VAPID token is not a JWT', key };
  let head: { alg?: unknown; typ?: unknown };
  let claims: { aud?: unknown; exp?: unknown; sub?: unknown };
  try {
    head = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    return { status: 401, error: 'VAPID JWT does not parse', key };
  }
  const raw = Buffer.from(key, 'base64url');
  if (head.alg !== 'ES256' || raw.length !== 65 || raw[0] !== 4)
    return { status: 401, error: 'VAPID JWT is not ES256 with an uncompressed P-256 key', claims, key };
  const publicKey = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  if (!verify('sha256', signed, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
    return { status: 401, error: 'VAPID JWT signature does not verify with k', claims, key };
  if (expectedKey !== undefined && key !== expectedKey)
    return { status: 403, error: 'VAPID key is not the one this subscription was made with', claims, key };
  if (claims.aud !== audience) return { status: 401, error: `VAPID aud is not ${audience}`, claims, key };
  const nowS = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= nowS || claims.exp > nowS + DAY_S)
    return { status: 401, error: 'VAPID exp is not within the next 24 hours', claims, key };
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub))
    return { status: 401, error: 'VAPID sub is not a mailto: or https: URL', claims, key };
  return { status: 0, claims, key };
}
