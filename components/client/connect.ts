/**
 * The single integration point between the one-script-tag bundle and the in-page client: the
 * script tag calls `connectInPage(gatewayUrl)` when the RoomKey extension is not present.
 * `gatewayUrl` is an absolute http(s) URL ending in `/`; the deployment's client configuration
 * (`{ version: 1, natsWebSocketUrl, loginJwt }`) is at `new URL('roomkey-config.json', gatewayUrl)`.
 * The in-page client (core, NATS) is a dynamic import, so pages with the extension never load it.
 * @example setDefaultClient(await connectInPage('https://rooms.example.com/'));
 */
import { MalformedError, UnsupportedError } from '../../core/errors.ts';
// Type only: the in-page client itself stays a lazy chunk.
import type { InPageClient } from './in-page.ts';
import type { RoomKeyClient } from './types.ts';

/**
 * The in-page client could not be loaded (its chunk is missing from this build or failed to load),
 * so there is nothing to connect with. An UnsupportedError: reload, or install the RoomKey extension.
 * @example if (error instanceof InPageClientUnavailableError) showInstallExtension();
 */
export class InPageClientUnavailableError extends UnsupportedError {
  constructor(options?: { cause?: unknown }) {
    super(
      'part of RoomKey did not load (the network dropped, or the site was just updated): reload the page, or use the RoomKey browser extension.',
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
  const client = await module.connectInPageClient(gatewayUrl);
  await refuseBrokenDeployment(client);
  return client;
}

/**
 * The page names a server whose `roomkey-config.json` is not a RoomKey configuration (a wrong
 * `data-gateway`, a misconfigured host): no retry will help, so the elements say so instead of
 * waiting as if offline. An unreachable server stays "offline" (the client retries when back).
 */
async function refuseBrokenDeployment(client: InPageClient): Promise<void> {
  if (client.connection !== 'offline') return;
  const error = await client.runtime.loadConfig().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  if (!(error instanceof MalformedError)) return;
  await client.close().catch(() => undefined);
  throw new MalformedError(
    `the address this page gives for its RoomKey server does not answer with RoomKey's settings (${client.configUrl}). If you run this site, check the script's data-gateway; if not, tell the site's owner.`,
    { cause: error },
  );
}
