/**
 * The device's NATS connection and its credential, kept usable: the JWT is refreshed before it
 * expires and whenever the host asks (a membership change), and the connection then reconnects so
 * the server applies the new JWT's permissions (nats.js binds them at connect; the authenticator
 * reads the current JWT on every dial). When the server refuses the JWT — it expired while the
 * device slept, or the gateway cut it off because the user was removed from a room — a fresh one
 * comes through the login credential, proved by the device key (`refreshDeviceJwtOffline`), and
 * nats.js's own reconnect loop picks it up. A revoked device stops for good.
 * @example const link = await DeviceLink.open({ config, deviceSecretKey, credential, onState });
 */
import type { NatsConnection, Status } from '@nats-io/nats-core';
import { fromBase64Url, fromUtf8 } from '../bytes.ts';
import { RevokedError, type RoomKeyError, UnavailableError } from '../errors.ts';
import { connectAsDevice, connectWithLoginCredential } from '../transport/connect.ts';
import type { ClientConfig } from './config.ts';
import {
  type DeviceCredential,
  refreshDelayMs,
  refreshDeviceJwt,
  refreshDeviceJwtOffline,
} from './device-jwt.ts';
import { withSignInRetry } from './sign-in-retry.ts';
import type { ConnectionState } from './types.ts';

export interface DeviceLinkOptions {
  config: ClientConfig;
  deviceSecretKey: Uint8Array;
  credential: DeviceCredential;
  onState?: (state: ConnectionState) => void;
  /** After every reconnect (subscriptions are back; missed live messages must be fetched). */
  onReconnected?: () => void;
  /** The device was revoked; the link is closed. */
  onRevoked?: (error: RoomKeyError) => void;
  onError?: (error: Error) => void;
}

/** A credential closer than this to expiry is renewed before connecting. */
const MIN_REMAINING_MS = 15_000;

function isAuthFailure(error: unknown): boolean {
  const e = error as Error | undefined;
  return (
    e?.name === 'AuthorizationError' ||
    e?.name === 'UserAuthenticationExpiredError' ||
    /revoked|authorization violation|authentication expired/i.test(e?.message ?? '')
  );
}

/**
 * The device connection and its credential (see the top of this file).
 * @example const link = await DeviceLink.open({ config, deviceSecretKey, credential }); await link.refresh();
 */
export class DeviceLink {
  readonly nc: NatsConnection;
  readonly credential: DeviceCredential;
  readonly #options: DeviceLinkOptions;
  #state: ConnectionState = 'connecting';
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refreshing: Promise<void> | undefined;
  #offline: Promise<void> | undefined;
  #closed = false;

  private constructor(nc: NatsConnection, credential: DeviceCredential, options: DeviceLinkOptions) {
    this.nc = nc;
    this.credential = credential;
    this.#options = options;
  }

  static async open(options: DeviceLinkOptions): Promise<DeviceLink> {
    const credential = { ...options.credential };
    if (credential.expiresAtMs - Date.now() < MIN_REMAINING_MS) {
      Object.assign(credential, await offlineCredential(options));
    }
    const connect = () =>
      connectAsDevice({
        servers: options.config.servers,
        connect: options.config.connect,
        jwt: () => credential.userJwt,
        deviceSecretKey: options.deviceSecretKey,
        options: {
          reconnectTimeWait: 250,
          reconnectJitter: 100,
          maxReconnectAttempts: -1,
          ignoreAuthErrorAbort: true,
          ...options.config.connectionOptions,
        },
      });
    let nc: NatsConnection;
    try {
      nc = await connect();
    } catch (error) {
      if (!isAuthFailure(error))
        throw new UnavailableError(`Could not connect: ${(error as Error).message}`, { cause: error });
      Object.assign(credential, await offlineCredential(options));
      nc = await connect();
    }
    const link = new DeviceLink(nc, credential, options);
    link.#setState('online');
    link.#watch();
    link.#schedule();
    return link;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * A fresh JWT now (current rooms and policy), then a reconnect so the server applies it.
   * Concurrent calls share one refresh.
   */
  refresh(): Promise<void> {
    if (!this.#refreshing) {
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = undefined;
      });
    }
    return this.#refreshing;
  }

  /** Whether the current JWT lets this device publish on `subject` (exact entry). */
  allowsPublish(subject: string): boolean {
    return jwtPublishAllow(this.credential.userJwt).includes(subject);
  }

  /** Resolves once no refresh (and its reconnect) is in flight: requests sent now get answers. */
  async ready(): Promise<void> {
    while (this.#refreshing) await this.#refreshing.catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
    this.#setState('offline');
  }

  async #refresh(): Promise<void> {
    let next: DeviceCredential;
    try {
      next = await refreshDeviceJwt(this.nc, this.#options.deviceSecretKey, {
        timeoutMs: this.#options.config.requestTimeoutMs,
      });
    } catch (error) {
      if (error instanceof RevokedError) return this.#revoked(error);
      // Not connected (or the JWT is no longer accepted): the login credential still works.
      next = await offlineCredential(this.#options);
    }
    Object.assign(this.credential, next);
    this.#schedule();
    await this.#reconnect();
  }

  /** Reconnects (a new CONNECT with the current JWT) and waits until the connection is back. */
  async #reconnect(): Promise<void> {
    if (this.nc.isClosed()) return;
    const back = this.#waitFor('reconnect', 10_000);
    await this.nc.reconnect();
    await back;
  }

  #waitFor(type: Status['type'], ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      void (async () => {
        for await (const s of this.nc.status()) {
          if (s.type === type || this.nc.isClosed()) break;
        }
        clearTimeout(timer);
        resolve();
      })();
    });
  }

  #schedule(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.refresh().catch((error: Error) => {
        this.#options.onError?.(error);
        // Try again soon; once the JWT has expired the offline path takes over.
        if (!this.#closed) this.#timer = setTimeout(() => this.#schedule(), 2000);
      });
    }, refreshDelayMs(this.credential.expiresAtMs));
  }

  #watch(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (this.#closed) break;
        switch (s.type) {
          case 'disconnect':
          case 'reconnecting':
          case 'staleConnection':
            this.#setState('reconnecting');
            break;
          case 'reconnect':
            this.#setState('online');
            this.#options.onReconnected?.();
            break;
          case 'error':
            if (isAuthFailure((s as { error?: Error }).error)) this.#renewOffline();
            break;
          case 'close':
            this.#setState('offline');
            break;
        }
      }
    })();
  }

  /** The server refused the JWT: get one through the login credential (once at a time). */
  #renewOffline(): void {
    if (this.#offline || this.#closed) return;
    this.#offline = (async () => {
      for (let attempt = 0; attempt < 10 && !this.#closed; attempt++) {
        try {
          Object.assign(this.credential, await offlineCredential(this.#options));
          this.#schedule();
          return;
        } catch (error) {
          if (error instanceof RevokedError) return this.#revoked(error);
          this.#options.onError?.(error as Error);
          await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)));
        }
      }
    })().finally(() => {
      this.#offline = undefined;
    });
  }

  async #revoked(error: RoomKeyError): Promise<void> {
    await this.close();
    this.#options.onRevoked?.(error);
  }

  #setState(state: ConnectionState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#options.onState?.(state);
  }
}

/** The `pub.allow` list of a NATS user JWT (read only to decide whether to refresh). */
function jwtPublishAllow(jwt: string): string[] {
  try {
    const json = fromUtf8(fromBase64Url(jwt.split('.')[1] ?? ''));
    const claims = JSON.parse(json) as { nats?: { pub?: { allow?: unknown } } };
    const allow = claims.nats?.pub?.allow;
    return Array.isArray(allow) ? allow.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

/** A fresh JWT through a short-lived login-credential connection. */
async function offlineCredential(options: DeviceLinkOptions): Promise<DeviceCredential> {
  const login = await connectWithLoginCredential({
    servers: options.config.servers,
    connect: options.config.connect,
    loginJwt: options.config.loginJwt,
    options: { maxReconnectAttempts: 2, timeout: 5000 },
  });
  try {
    // A fresh proof each try: a KV leader election makes the gateway say "recovering" for seconds.
    return await withSignInRetry(() =>
      refreshDeviceJwtOffline(login, options.deviceSecretKey, { timeoutMs: options.config.requestTimeoutMs }),
    );
  } finally {
    await login.close().catch(() => undefined);
  }
}
