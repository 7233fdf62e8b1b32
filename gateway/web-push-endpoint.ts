/**
 * Which push endpoints the gateway will POST to. A device hands us a URL and the gateway calls it,
 * so the URL is checked like hostile input: https only (plain http only where the operator allows
 * it, e.g. a loopback push service in tests), no user:password, bounded length.
 * @example checkPushEndpoint('https://fcm.googleapis.com/fcm/send/abc', { allowHttp: false })
 */
import { MalformedError } from '../core/errors.ts';

export const MAX_ENDPOINT_LENGTH = 1024;

/**
 * The endpoint if it may be used; MalformedError saying why not.
 * @example checkPushEndpoint(sub.endpoint, { allowHttp: false })
 */
export function checkPushEndpoint(endpoint: unknown, options: { allowHttp: boolean }): string {
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > MAX_ENDPOINT_LENGTH)
    throw new MalformedError(`endpoint: expected a URL of at most ${MAX_ENDPOINT_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new MalformedError('endpoint: not a URL');
  }
  const httpOk = options.allowHttp && url.protocol === 'http:';
  if (url.protocol !== 'https:' && !httpOk)
    throw new MalformedError('endpoint: a push service URL must use https');
  if (url.username || url.password)
    throw new MalformedError('endpoint: must not carry a user name or password');
  return endpoint;
}
