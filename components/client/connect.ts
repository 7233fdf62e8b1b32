/**
 * The single integration point between the one-script-tag bundle and the in-page client: the
 * script tag calls `connectInPage(gatewayUrl)` when the RoomKey extension is not present.
 * `gatewayUrl` is an absolute http(s) URL ending in `/`; the deployment's client configuration
 * (`{ version: 1, natsWebSocketUrl, loginJwt }`) is at `new URL('roomkey-config.json', gatewayUrl)`.
 * The in-page client (core, NATS) is a dynamic import, so pages with the extension never load it.
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
  let module: typeof import('./in-page.ts');
  try {
    module = await import('./in-page.ts');
  } catch (cause) {
    throw Object.assign(new InPageClientUnavailableError(), { cause });
  }
  return module.connectInPageClient(gatewayUrl);
}
