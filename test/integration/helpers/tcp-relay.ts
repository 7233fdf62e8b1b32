// A TCP relay the integration tests cut to take one client offline (its NATS WebSocket) while the
// rest of the stack runs: outbox-resend, client-resend and extension-outbox share it.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';

/** A relay's controls: `cut` drops every connection and refuses new ones until `restore`. */
export interface TcpRelay {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP relay to 127.0.0.1:`target` that can drop every connection and refuse new ones.
 * @example const relay = await tcpRelay(natsWsPort); relay.cut(); relay.restore();
 */
export async function tcpRelay(target: number): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  let open = true;
  const server: Server = createServer((client) => {
    if (!open) return void client.destroy();
    const upstream = tcpConnect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => {});
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The NATS WebSocket URL of `wsUrl` through a new relay (the relay closes with the test).
 * @example const { relay, servers } = await relayedNats(stack.nats.wsUrl, t);
 */
export async function relayedNats(
  wsUrl: string,
  t: { after(fn: () => Promise<void> | void): void },
): Promise<{ relay: TcpRelay; servers: string }> {
  const relay = await tcpRelay(Number(new URL(wsUrl).port));
  t.after(() => relay.close());
  const url = new URL(wsUrl);
  url.port = String(relay.port);
  return { relay, servers: url.toString().replace(/\/$/, '') };
}
