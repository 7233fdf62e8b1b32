/**
 * The single integration point between the one-script-tag bundle and the in-page client: the
 * script tag calls `connectInPage(gatewayUrl)` when the RoomKey extension is not present.
 * `gatewayUrl` is an absolute http(s) URL ending in `/`; the deployment's client configuration
 * (`{ version: 1, natsWebSocketUrl, loginJwt }`) is at `new URL('roomkey-config.json', gatewayUrl)`.
 * Until `InPageClient` (./in-page.ts) lands this rejects with {@link InPageClientUnavailableError}.
 * @example setDefaultClient(await connectInPage('https://rooms.example.com/'));
 */
import type { RoomKeyClient } from './types.ts';

/** The bundle was built without the in-page client, so there is nothing to connect with. */
export class InPageClientUnavailableError extends Error {
  constructor() {
    super('RoomKey: the in-page client is not available in this build (components/client/in-page.ts)');
    this.name = 'InPageClientUnavailableError';
  }
}

/**
 * Connects an in-page `RoomKeyClient` to the deployment at `gatewayUrl`.
 * @example const client = await connectInPage(new URL('/', location.href).href);
 */
export async function connectInPage(gatewayUrl: string): Promise<RoomKeyClient> {
  // TODO(in-page client): `return (await import('./in-page.ts')).connectInPageClient(gatewayUrl)` or similar.
  void gatewayUrl;
  throw new InPageClientUnavailableError();
}
