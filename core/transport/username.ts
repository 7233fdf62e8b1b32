/**
 * The one username rule, shared by the gateway (which enforces it) and clients (which can check
 * early): Unicode NFKC, trimmed, lowercase; 3–32 of a–z, 0–9, '.', '_', '-', starting and ending
 * with a letter or digit. ASCII only, so look-alike letters from other scripts cannot impersonate.
 * @example normalizeUsername(' Alice ') === 'alice'
 */
import { MalformedError } from '../errors.ts';

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
/** Raw input beyond this is refused before any Unicode work. */
const RAW_MAX = 256;

export function normalizeUsername(raw: unknown): string {
  if (typeof raw !== 'string') throw new MalformedError('username: expected text');
  if (raw.length > RAW_MAX) throw new MalformedError(`username: at most ${USERNAME_MAX} characters`);
  const name = raw.normalize('NFKC').trim().toLowerCase();
  if (name.length < USERNAME_MIN || name.length > USERNAME_MAX) {
    throw new MalformedError(`username: ${USERNAME_MIN} to ${USERNAME_MAX} characters (got ${name.length})`);
  }
  if (!/^[a-z0-9._-]+$/.test(name)) {
    throw new MalformedError("username: only letters a–z, digits, '.', '_' and '-' are allowed");
  }
  if (!/^[a-z0-9].*[a-z0-9]$/.test(name)) {
    throw new MalformedError('username: must start and end with a letter or digit');
  }
  return name;
}
