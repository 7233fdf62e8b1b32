// A nats-server for one test file, the nats.js launcher way: a temp dir holding a fresh RoomKey
// deployment (operator, accounts, secrets via `init`), a generated config with port -1 for the
// client and WebSocket listeners (the server picks free loopback ports and reports them in its
// ports file), a JetStream store in the temp dir; stop() kills the server and removes the dir.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stack } from '../../gateway/data-dir.ts';
import { initStack } from '../../gateway/init.ts';
import { natsServerConfig } from '../../gateway/nats-config.ts';
import { launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';

export interface TestNats {
  /** nats://127.0.0.1:port */
  clientUrl: string;
  /** ws://127.0.0.1:port */
  wsUrl: string;
  pid: number;
  /** The deployment's data dir (secrets, creds) inside the temp dir. */
  stack: Stack;
  dir: string;
  process: NatsServerProcess;
  /**
   * Stops the server and starts it again on the same ports and store (clients reconnect).
   * `{ kill: true }`: `kill -9` instead of a clean stop, as a crash or an OOM kill would;
   * `downMs`: how long it stays down before it starts again (default: at once).
   */
  restart(options?: { kill?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestNats(): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), 'roomkey-nats-'));
  try {
    const stack = await initStack({ dir: join(dir, 'data') });
    const configFile = join(dir, 'nats-server.conf');
    const configure = (port: number, wsPort: number) =>
      writeFileSync(
        configFile,
        natsServerConfig({
          stack: stack.public,
          port,
          wsPort,
          storeDir: join(dir, 'jetstream'),
          portsFileDir: dir,
        }),
      );
    configure(-1, -1);
    // ROOMKEY_TEST_NATS_LOG=1 prints the server's log, for debugging a test.
    const log = process.env['ROOMKEY_TEST_NATS_LOG']
      ? (line: string) => console.error(`[nats] ${line}`)
      : undefined;
    const first = await launchNatsServer({ configFile, portsDir: dir, log });
    const nats: TestNats = {
      clientUrl: first.clientUrl,
      wsUrl: first.wsUrl,
      pid: first.pid,
      stack,
      dir,
      process: first,
      restart: async (options = {}) => {
        if (options.kill) {
          process.kill(nats.process.pid, 'SIGKILL');
          await nats.process.exited;
        } else await nats.process.stop();
        if (options.downMs) await new Promise((resolve) => setTimeout(resolve, options.downMs));
        // The same ports, so connected clients find it again; they were free a moment ago.
        configure(Number(new URL(nats.clientUrl).port), Number(new URL(nats.wsUrl).port));
        nats.process = await launchNatsServer({ configFile, portsDir: dir, log });
        nats.pid = nats.process.pid;
      },
      stop: async () => {
        await nats.process.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    return nats;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
