/**
 * Keeps the deployment's certificate fresh: every gateway runs a renewer, each check reads the
 * certificate in KV, and when there is none, it covers other names, or two thirds of its lifetime
 * have passed (Let's Encrypt's 90 days → renewed at day 60, leaving a month for retries), the
 * gateway that gets the KV lock orders a new one and stores it; the others see it through their
 * watch. A failed order is logged and tried again at the next check, never fatal.
 * @example const renewer = new CertRenewer({ store, acme: { directoryUrl }, names, renewer: 'gw-1' }); renewer.start();
 */
import { hostname } from 'node:os';
import { obtainCertificate } from './acme-issuer.ts';
import type { CertRecord } from './cert-record.ts';
import type { CertStore } from './cert-store.ts';

export const RENEW_AT_FRACTION = 2 / 3;
const DEFAULT_CHECK_EVERY_MS = 60 * 60_000;
const RETRY_AFTER_FAILURE_MS = 5 * 60_000;

export interface CertRenewerOptions {
  store: CertStore;
  acme: { directoryUrl: string; email?: string; skipChallengeVerification?: boolean };
  names: string[];
  /** This gateway's name in the lock and the record (default: the host name and pid). */
  renewer?: string;
  checkEveryMs?: number;
  renewAtFraction?: number;
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export type CheckOutcome = 'fresh' | 'renewed' | 'locked';

/**
 * Whether `record` must be replaced for `names` at `nowMs`.
 * @example needsRenewal(record, ['chat.example.org'], Date.now()) // true past 2/3 of its lifetime
 */
export function needsRenewal(
  record: CertRecord | undefined,
  names: readonly string[],
  nowMs: number,
  fraction = RENEW_AT_FRACTION,
): boolean {
  if (!record) return true;
  const wanted = [...names].sort().join(',');
  if ([...record.names].sort().join(',') !== wanted) return true;
  return nowMs >= record.notBeforeMs + fraction * (record.notAfterMs - record.notBeforeMs);
}

export class CertRenewer {
  readonly #options: CertRenewerOptions;
  readonly #renewer: string;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<CheckOutcome> | undefined;
  #stopped = false;

  constructor(options: CertRenewerOptions) {
    if (options.names.length === 0) throw new Error('CertRenewer needs at least one DNS name');
    this.#options = options;
    this.#renewer = options.renewer ?? `${hostname()}/${process.pid}`;
  }

  /**
   * Checks now, then every `checkEveryMs`; after a failure sooner, 5 minutes doubling up to that
   * (Let's Encrypt allows 5 failed validations per name and hour: retrying every 5 minutes would
   * lock the names out).
   */
  start(): void {
    this.#stopped = false;
    const every = this.#options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS;
    let failures = 0;
    const loop = () => {
      if (this.#stopped) return;
      let delay = every;
      this.check()
        .then(() => {
          failures = 0;
        })
        .catch((error: Error) => {
          delay = Math.min(every, RETRY_AFTER_FAILURE_MS * 2 ** failures++);
          this.#options.log?.(
            'warn',
            `certificate renewal failed (next try in ${delay / 1000} s): ${error.message}`,
          );
        })
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(loop, delay);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  /** One check; overlapping calls share the one running. */
  check(): Promise<CheckOutcome> {
    this.#running ??= this.#check().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #check(): Promise<CheckOutcome> {
    const { store, names } = this.#options;
    const now = this.#options.now ?? Date.now;
    const fraction = this.#options.renewAtFraction ?? RENEW_AT_FRACTION;
    if (!needsRenewal((await store.current())?.value, names, now(), fraction)) return 'fresh';
    const lock = await store.tryLock(this.#renewer);
    if (!lock) return 'locked';
    try {
      // Read again under the lock: the last holder may have renewed since our first look.
      const current = await store.current();
      if (!needsRenewal(current?.value, names, now(), fraction)) return 'fresh';
      const record = await obtainCertificate({
        ...this.#options.acme,
        names,
        challenges: store,
        renewer: this.#renewer,
        now,
        ...(current?.value.directoryUrl === this.#options.acme.directoryUrl
          ? { account: { keyPem: current.value.accountKeyPem, url: current.value.accountUrl } }
          : {}),
      });
      await store.save(record, current?.revision);
      this.#options.log?.(
        'info',
        `certificate for ${names.join(', ')} obtained, valid until ${new Date(record.notAfterMs).toISOString()}`,
      );
      return 'renewed';
    } finally {
      await lock.release();
    }
  }
}
