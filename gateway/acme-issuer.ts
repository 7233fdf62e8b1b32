/**
 * Obtains a certificate for a set of DNS names from an ACME CA (RFC 8555: Let's Encrypt, or
 * Pebble in tests) with `acme-client`: an ECDSA P-256 key and CSR, an order answered by HTTP-01,
 * whose key authorizations go into KV so that whichever gateway the CA reaches on port 80 can
 * answer (acme-http.ts). The ACME account key is kept with the certificate and reused.
 * @example const record = await obtainCertificate({ directoryUrl, names: ['chat.example.org'], challenges: store, renewer: 'gw-1' });
 */
import { X509Certificate } from 'node:crypto';
import * as acme from 'acme-client';
import { UnavailableError } from '../core/errors.ts';
import type { CertRecord } from './cert-record.ts';

/** Where HTTP-01 key authorizations are published while an order is open (CertStore). */
export interface ChallengeBoard {
  putChallenge(token: string, keyAuthorization: string): Promise<void>;
  removeChallenge(token: string): Promise<void>;
}

export interface AcmeOrderInput {
  /** e.g. https://acme-v02.api.letsencrypt.org/directory */
  directoryUrl: string;
  names: string[];
  /** Contact for the CA's expiry and policy mail. */
  email?: string;
  /** The account of an earlier order (key PEM and URL); absent = a new account. */
  account?: { keyPem: string; url: string };
  challenges: ChallengeBoard;
  renewer: string;
  /**
   * acme-client's own pre-check that the challenge URL answers before the CA is asked to validate.
   * Off by default: the CA's validation is the one that counts, and a deployment often cannot reach
   * its own public name from inside (hairpin NAT), so the pre-check would fail a good order.
   */
  skipChallengeVerification?: boolean;
  now?: () => number;
}

/**
 * Runs one ACME order to the end; UnavailableError (with the CA's words) if it fails.
 * @example const record = await obtainCertificate({ directoryUrl, names, challenges: store, renewer: hostname() });
 */
export async function obtainCertificate(input: AcmeOrderInput): Promise<CertRecord> {
  const now = input.now ?? Date.now;
  const accountKeyPem = input.account?.keyPem ?? (await acme.crypto.createPrivateEcdsaKey()).toString();
  const client = new acme.Client({
    directoryUrl: input.directoryUrl,
    accountKey: accountKeyPem,
    ...(input.account ? { accountUrl: input.account.url } : {}),
  });
  const [keyPem, csr] = await acme.crypto.createCsr(
    { commonName: input.names[0]!, altNames: input.names },
    await acme.crypto.createPrivateEcdsaKey(),
  );
  let certPem: string;
  try {
    certPem = await client.auto({
      csr,
      ...(input.email ? { email: input.email } : {}),
      termsOfServiceAgreed: true,
      challengePriority: ['http-01'],
      skipChallengeVerification: input.skipChallengeVerification ?? true,
      challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
        if (challenge.type === 'http-01')
          await input.challenges.putChallenge(challenge.token, keyAuthorization);
      },
      challengeRemoveFn: async (_authz, challenge) => {
        if (challenge.type === 'http-01') await input.challenges.removeChallenge(challenge.token);
      },
    });
  } catch (error) {
    throw new UnavailableError(
      `The ACME CA at ${input.directoryUrl} did not issue a certificate for ${input.names.join(', ')}: ${(error as Error).message}. Check that every name resolves to this deployment, that port 80 reaches a gateway started with --acme-http-port, and the CA's rate limits.`,
      { cause: error },
    );
  }
  const leaf = new X509Certificate(certPem);
  return {
    names: [...input.names],
    certPem,
    keyPem: keyPem.toString(),
    notBeforeMs: Date.parse(leaf.validFrom),
    notAfterMs: Date.parse(leaf.validTo),
    renewedAtMs: now(),
    renewer: input.renewer,
    accountKeyPem,
    accountUrl: client.getAccountUrl(),
    directoryUrl: input.directoryUrl,
  };
}
