/**
 * Liveness and readiness of one gateway. /healthz: the process is up and answering HTTP. /readyz:
 * NATS answers on the gateway's connections, every KV bucket is open (its stream answers), and the
 * served certificate is valid (a hook: without TLS there is none and the check passes, saying so).
 * Each check is bounded, so a broker that is away makes /readyz say 503 in seconds, not hang.
 * @example const probe = readinessProbe({ gateway }); const { ready, checks } = await probe();
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Buckets } from './buckets.ts';

export interface CheckResult {
  name: string;
  ok: boolean;
  /** What was seen, for a person: no user data, only states and counts. */
  detail: string;
}

export interface Readiness {
  ready: boolean;
  checks: CheckResult[];
}

/** The TLS hook (issue 18): whether the certificate being served is valid now. */
export interface CertificateState {
  valid: boolean;
  detail: string;
  /** notAfter of the served certificate, ms since the epoch. */
  notAfterMs?: number;
}

/** What readiness looks at; `gateway.context` of a started gateway has all of it. */
export interface ReadinessSources {
  app: NatsConnection;
  buckets: Buckets;
  /** Absent while the deployment has no TLS (plain ws on loopback). */
  certificate?: () => CertificateState | undefined;
  timeoutMs?: number;
}

export const NO_CERTIFICATE = 'none (plain ws on loopback)';
const DEFAULT_TIMEOUT_MS = 2000;

/**
 * A function that runs the readiness checks now.
 * @example const probe = readinessProbe({ app: gateway.context.app, buckets: gateway.context.buckets });
 */
export function readinessProbe(sources: ReadinessSources): () => Promise<Readiness> {
  const timeoutMs = sources.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const kvs = distinctKvs(sources.buckets);
  return async () => {
    const checks = await Promise.all([
      bounded('nats', timeoutMs, async () => {
        if (sources.app.isClosed()) return 'connection closed';
        const rtt = await sources.app.rtt();
        return { detail: `round trip ${rtt.toFixed(1)} ms` };
      }),
      bounded('buckets', timeoutMs, async () => {
        const statuses = await Promise.all(kvs.map((kv) => kv.status()));
        return { detail: `${statuses.length} open` };
      }),
      certificateCheck(sources.certificate),
    ]);
    return { ready: checks.every((c) => c.ok), checks };
  };
}

function certificateCheck(source: ReadinessSources['certificate']): CheckResult {
  const state = source?.();
  if (!state) return { name: 'certificate', ok: true, detail: NO_CERTIFICATE };
  return { name: 'certificate', ok: state.valid, detail: state.detail };
}

/** Runs `check` within `timeoutMs`: a string result is a failure's detail, an object a pass. */
async function bounded(
  name: string,
  timeoutMs: number,
  check: () => Promise<string | { detail: string }>,
): Promise<CheckResult> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    const result = await Promise.race([check(), timeout]);
    return typeof result === 'string'
      ? { name, ok: false, detail: result }
      : { name, ok: true, detail: result.detail };
  } catch (error) {
    return { name, ok: false, detail: (error as Error)?.message ?? String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** The KV handles behind the buckets, each once (the policy records share one bucket). */
function distinctKvs(buckets: Buckets): KV[] {
  const seen = new Set<KV>();
  for (const value of Object.values(buckets) as Array<KV | { kv: KV }>) {
    seen.add('kv' in value ? value.kv : value);
  }
  return [...seen];
}
