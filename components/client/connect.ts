/**
 * The single integration point between the one-script-tag bundle and the in-page client: the
 * script tag calls `connectInPage(gatewayUrl)` when the RoomKey extension is not present.
 * `gatewayUrl` is an absolute http(s) URL ending in `/`; the deployment's client configuration
 * (`{ version: 1, natsWebSocketUrl, loginJwt }`) is at `new URL('roomkey-config.json', gatewayUrl)`.
 * The in-page client (core, NATS) is a dynamic import, so pages with the extension never load it.
 * @example setDefaultClient(await connectInPage('https://rooms.example.com/'));
 */
import { UnsupportedError } from '../../core/errors.ts';
import type { RoomKeyClient } from './types.ts';

/**
 * The in-page client could not be loaded (its chunk is missing from this build or failed to load),
 * so there is nothing to connect with. An UnsupportedError: reload, or install the RoomKey extension.
 * @example if (error instanceof InPageClientUnavailableError) showInstallExtension();
 */
export class InPageClientUnavailableError extends UnsupportedError {
  constructor(options?: { cause?: unknown }) {
    super(
      'RoomKey: the in-page client could not be loaded (components/client/in-page.ts): reload the page, or use the RoomKey extension.',
    );
    // UnsupportedError takes no options: the failed import stays reachable for debugging.
    if (options) this.cause = options.cause;
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
    throw new InPageClientUnavailableError({ cause });
  }
  return module.connectInPageClient(gatewayUrl);
}
