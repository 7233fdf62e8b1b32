/**
 * The DNS-specific typed error: a name that does not exist (NXDOMAIN) or has no record of the
 * asked type (NODATA). Network failures and hostile answers use core's UnavailableError,
 * MalformedError and TooLargeError.
 * @example if (e instanceof NameNotFoundError && e.reason === 'nxdomain') showTypo(e.host);
 */
import { NotFoundError } from '../errors.ts';

/** `nxdomain`: the name does not exist; `nodata`: it exists without a record of that type. */
export type NameNotFoundReason = 'nxdomain' | 'nodata';

/**
 * A DNS name the resolver says does not exist, or that has no address of the type asked.
 * Code `not-found`; `host` and `recordType` say what was asked.
 * @example throw new NameNotFoundError('gw.example', 'A', 'nxdomain', 'Cloudflare');
 */
export class NameNotFoundError extends NotFoundError {
  readonly host: string;
  readonly recordType: string;
  readonly reason: NameNotFoundReason;
  constructor(host: string, recordType: string, reason: NameNotFoundReason, resolver: string) {
    super(
      reason === 'nxdomain'
        ? `"${host}" does not exist in DNS (NXDOMAIN from ${resolver}): check the address for typos; if it is right, its DNS records are not published yet.`
        : `"${host}" exists in DNS but has no ${recordType} record (answer from ${resolver}): check the address, or ask its operator to publish one.`,
    );
    this.host = host;
    this.recordType = recordType;
    this.reason = reason;
  }
}
