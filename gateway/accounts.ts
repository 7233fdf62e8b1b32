/**
 * The NATS operator, its accounts and the fixed users, as JWT claims. Every gateway rebuilds the
 * app account JWT from this code (plus the revocation list in KV), so all gateways push the same
 * account and `init` and a running gateway never disagree.
 *
 *   operator ── SYS      system account (sys user: pushes account JWT updates)
 *            ├─ GATEWAY  the gateway's service user and its KV buckets; exports rk.v1.gw.>
 *            └─ APP      every client: the login user, devices; imports rk.v1.gw.> with `share`,
 *                        so each request reaches the gateway with the caller's server-asserted
 *                        identity (Nats-Request-Info: nkey, connection id, address).
 * @example const jwt = await encodeAppAccountJwt(stack, { UABC…: 1767225600 });
 */
import { encodeAccount, encodeOperator, encodeUser, fromSeed, type KeyPair } from '@nats-io/jwt';
import { GATEWAY_API_PREFIX, LOGIN_INBOX_PREFIX, LOGIN_SUBJECTS_WILDCARD } from '../core/transport/index.ts';
import type { StackSecrets } from './data-dir.ts';

/** Explicit limits: on 2.9 an account without them resets clients and has no JetStream. */
export const ACCOUNT_LIMITS = {
  subs: -1,
  conn: -1,
  leaf: -1,
  imports: -1,
  exports: -1,
  data: -1,
  payload: -1,
  wildcards: true,
  mem_storage: -1,
  disk_storage: -1,
  streams: -1,
  consumer: -1,
};

const SYS_LIMITS = {
  subs: -1,
  conn: -1,
  leaf: -1,
  imports: -1,
  exports: -1,
  data: -1,
  payload: -1,
  wildcards: true,
};

const API_EXPORT = `${GATEWAY_API_PREFIX}.>`;

/** Limits of the shared login user: it only ever makes a few small requests. */
export const LOGIN_USER_LIMITS = { subs: 8, payload: 64 * 1024, data: -1 };

export function seedKey(seed: string): KeyPair {
  return fromSeed(new TextEncoder().encode(seed));
}

export function encodeOperatorJwt(secrets: StackSecrets, sysPublicKey: string): Promise<string> {
  const operator = seedKey(secrets.operatorSeed);
  return encodeOperator('roomkey', operator, {
    signing_keys: [seedKey(secrets.operatorSigningSeed).getPublicKey()],
    system_account: sysPublicKey,
  });
}

export function encodeSysAccountJwt(secrets: StackSecrets): Promise<string> {
  return encodeAccount(
    'SYS',
    seedKey(secrets.sysAccountSeed).getPublicKey(),
    { limits: SYS_LIMITS },
    {
      signer: seedKey(secrets.operatorSigningSeed),
    },
  );
}

export function encodeGatewayAccountJwt(secrets: StackSecrets): Promise<string> {
  return encodeAccount(
    'GATEWAY',
    seedKey(secrets.gatewayAccountSeed).getPublicKey(),
    {
      limits: ACCOUNT_LIMITS,
      exports: [
        { name: 'roomkey-gateway-api', subject: API_EXPORT, type: 'service', response_type: 'Singleton' },
      ],
    },
    { signer: seedKey(secrets.operatorSigningSeed) },
  );
}

/**
 * The app account; `revocations` maps a device nkey to a Unix time in seconds: every user JWT
 * for that nkey issued at or before it is refused, and live connections using one are closed.
 */
export function encodeAppAccountJwt(
  secrets: StackSecrets,
  gatewayAccountPublicKey: string,
  revocations: Record<string, number> = {},
): Promise<string> {
  const claims = {
    limits: ACCOUNT_LIMITS,
    signing_keys: [seedKey(secrets.appSigningSeed).getPublicKey()],
    imports: [
      {
        name: 'roomkey-gateway-api',
        subject: API_EXPORT,
        account: gatewayAccountPublicKey,
        type: 'service' as const,
        // Adds Nats-Request-Info (the caller's nkey, connection id, address) to every request.
        share: true,
      },
    ],
    ...(Object.keys(revocations).length ? { revocations } : {}),
  };
  return encodeAccount('APP', seedKey(secrets.appAccountSeed).getPublicKey(), claims, {
    signer: seedKey(secrets.operatorSigningSeed),
  });
}

/** The shared login user: a bearer JWT (its nkey seed is thrown away) that may only log in. */
export function encodeLoginJwt(secrets: StackSecrets, loginUser: KeyPair): Promise<string> {
  return encodeUser(
    'roomkey-login',
    loginUser,
    seedKey(secrets.appAccountSeed).getPublicKey(),
    {
      bearer_token: true,
      pub: { allow: [LOGIN_SUBJECTS_WILDCARD] },
      sub: { allow: [`${LOGIN_INBOX_PREFIX}.>`] },
      allowed_connection_types: ['STANDARD', 'WEBSOCKET'],
      ...LOGIN_USER_LIMITS,
    },
    { signer: seedKey(secrets.appSigningSeed) },
  );
}

/** A service user with the account's full permissions (the gateway's own connections). */
export function encodeServiceUserJwt(
  name: string,
  user: KeyPair,
  accountSeed: string,
  signer?: string,
): Promise<string> {
  return encodeUser(name, user, seedKey(accountSeed), {}, signer ? { signer: seedKey(signer) } : {});
}

export function accountPublicKeys(secrets: StackSecrets): {
  sys: string;
  gateway: string;
  app: string;
  appSigning: string;
} {
  return {
    sys: seedKey(secrets.sysAccountSeed).getPublicKey(),
    gateway: seedKey(secrets.gatewayAccountSeed).getPublicKey(),
    app: seedKey(secrets.appAccountSeed).getPublicKey(),
    appSigning: seedKey(secrets.appSigningSeed).getPublicKey(),
  };
}
