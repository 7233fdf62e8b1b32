/**
 * The client of the extension's own pages: core/bridge's BridgeClient (the one the sites get) over a
 * port straight to the background, plus the admin commands of the popup and approval window.
 * @example const { client, transport } = pageClient(); const sites = await transport.admin('sites', {});
 */
import { browser } from 'wxt/browser';
import { BridgeClient, type BridgePort } from '../../core/bridge/index.ts';
import { PAGE_PORT } from './messages.ts';
import { PortTransport } from './port-transport.ts';

/**
 * A client and its transport on a port named `portName` (PAGE_PORT, or a sealed page's name).
 * @example const { client } = pageClient(sealedPortName(embedding));
 */
export function pageClient(portName: string = PAGE_PORT): { client: BridgeClient; transport: PortTransport } {
  const transport = new PortTransport(
    () => browser.runtime.connect({ name: portName }) as unknown as BridgePort,
  );
  return { client: new BridgeClient(transport), transport };
}
