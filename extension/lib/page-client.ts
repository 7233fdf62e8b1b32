/**
 * The client of the extension's own pages: core/bridge's BridgeClient (the one the sites get) over a
 * port straight to the background, plus the admin commands of the popup and approval window.
 * @example const { client, transport } = pageClient(); const sites = await transport.admin('sites', {});
 */
import { browser } from 'wxt/browser';
import { BridgeClient, type BridgePort, ExtensionPageClient } from '../../core/bridge/index.ts';
import { PAGE_PORT } from './messages.ts';
import { PortTransport } from './port-transport.ts';

/**
 * A client and its transport on a port named `portName` (PAGE_PORT: an ExtensionPageClient, or a
 * sealed page's name: a BridgeClient).
 * @example const { client } = pageClient(sealedPortName(embedding));
 */
export function pageClient(portName: string = PAGE_PORT): { client: BridgeClient; transport: PortTransport } {
  const transport = new PortTransport(
    () => browser.runtime.connect({ name: portName }) as unknown as BridgePort,
  );
  // The extension's own pages may also change contacts' trust; a sealed frame (inside a site,
  // which could clickjack it) asks for the verify window like the site's page.
  const client = portName === PAGE_PORT ? new ExtensionPageClient(transport) : new BridgeClient(transport);
  return { client, transport };
}
