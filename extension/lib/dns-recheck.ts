/**
 * The DNS check again while connected: after every reconnect of the background's NATS connection
 * (nats.js `reconnect` status: a network change, a broker restart, a JWT refresh's redial — each
 * resolves the name again through the browser) and when the Private DNS policy or resolver
 * changes. Under `require` a failed check closes that connection and hands the refusal to the host
 * (which locks: no silent fallback); under `prefer` the guard's warning is the only effect.
 *
 * Rate limit: at most one check starts per `minIntervalMs` (default 5 s) per connection; reconnects
 * within the wait share the one check that starts when it ends, and one check runs at a time. A
 * flapping connection therefore costs the resolver at most 12 checks a minute (each: A and AAAA
 * per name, and one probe fetch per name). A settings change is a person's act: it checks at once.
 * @example const stop = recheck.follow({ session, gateway, cfg, connection: session.sdk.nc });
 */
import type { DeploymentConfig } from '../../core/client/index.ts';
import { DnsNotPrivateError } from '../../core/dns/index.ts';
import type { DnsGuard } from './dns-guard.ts';
import type { DnsSettings } from './dns-settings.ts';

/** What the re-check needs of a NATS connection (nats.js `NatsConnection` is one). */
export interface WatchedConnection {
  status(): AsyncIterable<{ type: string }>;
  isClosed(): boolean;
  close(): Promise<void>;
}

export interface FollowedConnection {
  /** Whose connection it is: the host checks it is still the running session before it locks. */
  session: object;
  gateway: string;
  cfg: Partial<Pick<DeploymentConfig, 'dohUrl' | 'natsWebSocketUrl'>>;
  connection: WatchedConnection;
}

export interface DnsRecheckDeps {
  guard: Pick<DnsGuard, 'check' | 'checkedWith'>;
  /**
   * A check refused the connection it followed (under require), which is closed already: the host
   * ends the session (the extension locks). `error` is the guard's DnsNotPrivateError.
   */
  onRefused(connection: FollowedConnection, error: Error): void;
  onError?(error: Error): void;
  /** Least time between the starts of two checks of one connection; default 5000 ms. */
  minIntervalMs?: number;
}

export const DEFAULT_RECHECK_INTERVAL_MS = 5000;

type Why = 'reconnect' | 'settings';

/** One followed connection's state. */
interface Followed {
  target: FollowedConnection;
  stopped: boolean;
  /** When the last check of it started (the connect-time check counts: it just ran). */
  lastStartMs: number;
  running: boolean;
  /** A reason that came while a check ran: one more check once it ends. */
  again: Why | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class DnsRecheck {
  readonly #deps: DnsRecheckDeps;
  readonly #intervalMs: number;
  #current: Followed | undefined;
  /** Checks run by this object (tests, diagnostics). */
  checks = 0;

  constructor(deps: DnsRecheckDeps) {
    this.#deps = deps;
    this.#intervalMs = deps.minIntervalMs ?? DEFAULT_RECHECK_INTERVAL_MS;
  }

  /**
   * Follows a connection that has just passed its connect-time check (it replaces the one followed
   * before); returns the function that stops following it.
   * @example const stop = recheck.follow({ session, gateway, cfg, connection: nc });
   */
  follow(target: FollowedConnection): () => void {
    this.#stop(this.#current);
    const followed: Followed = {
      target,
      stopped: false,
      lastStartMs: Date.now(),
      running: false,
      again: undefined,
      timer: undefined,
    };
    this.#current = followed;
    void (async () => {
      try {
        for await (const s of target.connection.status()) {
          if (followed.stopped) break;
          if (s.type === 'reconnect') this.#request(followed, 'reconnect');
        }
      } catch (error) {
        this.#deps.onError?.(error as Error);
      }
    })();
    return () => this.#stop(followed);
  }

  /**
   * The settings changed: checks the followed connection again at once when the policy or the
   * resolver differs from the last check's (switching to require while connected refuses then).
   * @example recheck.settingsChanged(await settings.get());
   */
  settingsChanged(settings: DnsSettings): void {
    const followed = this.#current;
    if (!followed || followed.stopped) return;
    const last = this.#deps.guard.checkedWith;
    if (last && last.dnsPolicy === settings.dnsPolicy && last.dohResolver === settings.dohResolver) return;
    this.#request(followed, 'settings');
  }

  #request(followed: Followed, why: Why): void {
    if (followed.stopped) return;
    if (followed.running) {
      followed.again = followed.again === 'settings' ? 'settings' : why;
      return;
    }
    const waitMs = why === 'settings' ? 0 : followed.lastStartMs + this.#intervalMs - Date.now();
    if (waitMs <= 0) {
      if (followed.timer !== undefined) clearTimeout(followed.timer);
      followed.timer = undefined;
      void this.#run(followed);
    } else if (followed.timer === undefined) {
      followed.timer = setTimeout(() => {
        followed.timer = undefined;
        void this.#run(followed);
      }, waitMs);
    }
  }

  async #run(followed: Followed): Promise<void> {
    if (followed.stopped) return;
    const { target } = followed;
    if (target.connection.isClosed()) return this.#stop(followed);
    followed.running = true;
    followed.lastStartMs = Date.now();
    this.checks++;
    try {
      await this.#deps.guard.check(target.gateway, target.cfg);
    } catch (error) {
      // The guard throws DnsNotPrivateError to refuse; anything else under require refuses too
      // (it could not show the lookup was private). A connection stopped meanwhile is not ours.
      const refuses = error instanceof DnsNotPrivateError || this.#requires();
      const failure = error instanceof Error ? error : new Error(String(error));
      if (!refuses) this.#deps.onError?.(failure);
      else if (!followed.stopped) {
        this.#stop(followed);
        await target.connection.close().catch(() => undefined);
        this.#deps.onRefused(target, failure);
      }
    } finally {
      followed.running = false;
    }
    const again = followed.again;
    followed.again = undefined;
    if (again) this.#request(followed, again);
  }

  #requires(): boolean {
    return this.#deps.guard.checkedWith?.dnsPolicy === 'require';
  }

  #stop(followed: Followed | undefined): void {
    if (!followed) return;
    followed.stopped = true;
    if (followed.timer !== undefined) clearTimeout(followed.timer);
    followed.timer = undefined;
    if (this.#current === followed) this.#current = undefined;
  }
}
