/**
 * The gateway's Prometheus metrics (prom-client), one registry per gateway so that several
 * gateways in one process (tests) keep their own. Labels only ever take values from fixed sets:
 * an endpoint's constant subject, an error code, a push status class, "app"/"push". Anything else
 * becomes "other", so no username, room id, device key or address can reach a label, whoever calls.
 * @example const metrics = new GatewayMetrics(); startGateway({ ..., metrics }); res.end(await metrics.text());
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { ERROR_CODE_NAMES } from '../core/errors.ts';
import {
  ADMIN_SUBJECTS,
  DEVICE_SUBJECTS,
  DIRECTORY_SUBJECTS,
  LOGIN_SUBJECTS,
  MARKER_SUBJECTS,
  PAIRING_SUBJECTS,
  PUSH_SUBJECTS,
  ROOM_SUBJECTS,
} from '../core/transport/index.ts';

/** What the service reports for every request it answers (service.ts). */
export interface RequestObserver {
  /** `outcome`: "ok", an error code, or "busy" (refused before handling: too many in flight). */
  request(endpoint: string, outcome: string, seconds: number): void;
}

/** The only endpoint labels: the gateway's request subjects as core/transport defines them. */
const ENDPOINTS: ReadonlySet<string> = new Set(
  [
    LOGIN_SUBJECTS,
    DEVICE_SUBJECTS,
    DIRECTORY_SUBJECTS,
    ROOM_SUBJECTS,
    PUSH_SUBJECTS,
    MARKER_SUBJECTS,
    PAIRING_SUBJECTS,
    ADMIN_SUBJECTS,
  ].flatMap((table) => Object.values(table) as string[]),
);
const ERROR_CODES: ReadonlySet<string> = new Set(ERROR_CODE_NAMES);
/** How long a rooms count may be reused: a scrape every few seconds costs one STREAM.INFO at most this often. */
const ROOMS_CACHE_MS = 10_000;

/**
 * The label for an endpoint subject, or "other" for anything that is not a fixed gateway subject.
 * @example endpointLabel('rk.v1.gw.device.room.create') // 'rk.v1.gw.device.room.create'
 */
export function endpointLabel(subject: string): string {
  return ENDPOINTS.has(subject) ? subject : 'other';
}

/**
 * The label for a request's outcome: "ok", "busy", a known error code, else "error".
 * @example outcomeLabel('rate-limited') // 'rate-limited'
 */
export function outcomeLabel(outcome: string): string {
  if (outcome === 'ok' || outcome === 'busy') return outcome;
  return ERROR_CODES.has(outcome) ? outcome : 'error';
}

/**
 * The label for a push service's answer: the exact status for the ones the dispatcher acts on,
 * else its class ("4xx", "5xx"), "none" when no answer came (network, timeout).
 * @example pushStatusLabel(410) // '410'
 */
export function pushStatusLabel(status: number): string {
  if (!Number.isInteger(status) || status <= 0) return 'none';
  if ([400, 403, 404, 410, 413, 429, 500, 502, 503].includes(status)) return String(status);
  if (status >= 100 && status < 600) return `${Math.floor(status / 100)}xx`;
  return 'other';
}

export class GatewayMetrics implements RequestObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<'endpoint' | 'outcome'>;
  private readonly latency: Histogram<'endpoint'>;
  private readonly logins: Counter<'result'>;
  private readonly loginStarts: Counter;
  private readonly rateLimited: Counter<'endpoint'>;
  private readonly jwts: Counter;
  private readonly notifications: Counter<'channel'>;
  private readonly pushFailures: Counter<'status'>;
  private readonly pushesSent: Counter;
  private roomsSource: (() => Promise<number>) | undefined;
  private certificateSource: (() => number | undefined) | undefined;
  private roomsCache: { value: number; atMs: number } | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'roomkey_requests_total',
      help: 'Requests answered, by endpoint and outcome (ok, an error code, busy)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.latency = new Histogram({
      name: 'roomkey_request_duration_seconds',
      help: 'Time from receiving a request to replying, by endpoint',
      labelNames: ['endpoint'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.loginStarts = new Counter({
      name: 'roomkey_login_starts_total',
      help: 'Login starts answered (OPAQUE: a wrong password is a start never finished)',
      registers,
    });
    this.logins = new Counter({
      name: 'roomkey_logins_total',
      help: 'Logins: success = finished with a session; failure = start or finish refused',
      labelNames: ['result'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'roomkey_rate_limit_hits_total',
      help: 'Requests refused by a rate limit (login, sign-up, pairing), by endpoint',
      labelNames: ['endpoint'],
      registers,
    });
    this.jwts = new Counter({ name: 'roomkey_jwts_issued_total', help: 'Device JWTs issued', registers });
    this.notifications = new Counter({
      name: 'roomkey_notifications_routed_total',
      help: 'Recipients of routed messages: app = App Notifications to active devices, push = users handed to Web Push',
      labelNames: ['channel'],
      registers,
    });
    this.pushesSent = new Counter({
      name: 'roomkey_push_sent_total',
      help: 'Web Push requests a push service accepted (2xx)',
      registers,
    });
    this.pushFailures = new Counter({
      name: 'roomkey_push_failures_total',
      help: 'Web Push requests that failed, by the push service status ("none": no answer)',
      labelNames: ['status'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'roomkey_rooms',
      help: 'Rooms in the deployment (room records in KV)',
      registers,
      async collect() {
        const value = await self.rooms();
        if (value !== undefined) this.set(value);
      },
    });
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'roomkey_' });
  }

  request(endpoint: string, outcome: string, seconds: number): void {
    const label = endpointLabel(endpoint);
    const result = outcomeLabel(outcome);
    this.requests.inc({ endpoint: label, outcome: result });
    this.latency.observe({ endpoint: label }, seconds);
    if (result === 'rate-limited') this.rateLimited.inc({ endpoint: label });
    if (endpoint === LOGIN_SUBJECTS.loginStart) {
      this.loginStarts.inc();
      if (result !== 'ok') this.logins.inc({ result: 'failure' });
    }
    if (endpoint === LOGIN_SUBJECTS.loginFinish)
      this.logins.inc({ result: result === 'ok' ? 'success' : 'failure' });
  }

  /** A device JWT was issued (device-session.ts). */
  jwtIssued(): void {
    this.jwts.inc();
  }

  /** One message routed: `app` devices got an App Notification, `push` users were handed to Web Push. */
  routed(app: number, push: number): void {
    if (app > 0) this.notifications.inc({ channel: 'app' }, app);
    if (push > 0) this.notifications.inc({ channel: 'push' }, push);
  }

  /** A push service's answer (0: none came). */
  pushResult(status: number): void {
    if (status >= 200 && status < 300) this.pushesSent.inc();
    else this.pushFailures.inc({ status: pushStatusLabel(status) });
  }

  /** Where the rooms count comes from (the room records bucket); read at most every 10 s. */
  watchRooms(count: () => Promise<number>): void {
    this.roomsSource = count;
    this.roomsCache = undefined;
  }

  /**
   * The TLS hook: the served certificate's notAfter (ms). The gauge exists from the first call on,
   * so a deployment without TLS shows no expiry rather than a misleading 0.
   */
  watchCertificate(notAfterMs: () => number | undefined): void {
    if (!this.certificateSource) {
      const self = this;
      new Gauge({
        name: 'roomkey_certificate_expiry_timestamp_seconds',
        help: 'When the served TLS certificate expires (seconds since the epoch)',
        registers: [this.registry],
        collect() {
          const value = self.certificateSource?.();
          if (value !== undefined) this.set(value / 1000);
        },
      });
      new Gauge({
        name: 'roomkey_certificate_expiry_seconds',
        help: 'Seconds until the served TLS certificate expires (negative: expired); alert well before 0',
        registers: [this.registry],
        collect() {
          const value = self.certificateSource?.();
          if (value !== undefined) this.set(Math.round((value - Date.now()) / 1000));
        },
      });
    }
    this.certificateSource = notAfterMs;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for /metrics. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  private async rooms(): Promise<number | undefined> {
    const now = Date.now();
    if (this.roomsCache && now - this.roomsCache.atMs < ROOMS_CACHE_MS) return this.roomsCache.value;
    if (!this.roomsSource) return undefined;
    try {
      const value = await this.roomsSource();
      this.roomsCache = { value, atMs: now };
      return value;
    } catch {
      return this.roomsCache?.value; // NATS unreachable: /readyz says so; keep the last count
    }
  }
}
