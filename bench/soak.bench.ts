/**
 * Soak: 20 clients in 5 rooms (4 members each), every client sending 5 messages a second into its
 * room for ROOMKEY_SOAK_SECONDS (default 75; 300 for the five minutes), against a real
 * nats-server and one gateway in this process; the clients run in a child process
 * (_soak-clients.ts) so each side's memory is its own. The same traffic runs first for
 * ROOMKEY_SOAK_WARM_UP_SECONDS (default 20), uncounted, so caches that are bounded (each room's
 * 256 recent messages, 4,096 sent ids) and compiled code are in place before the first measure.
 * Prints, 2 s after the traffic and a forced GC at both ends (the clients' young generation held at
 * one size: YOUNG_GEN_FIXED below):
 *   soak-{client,gateway,nats}-rss-{start,end}  MiB
 *   soak-client-young-gen-{start,end}          V8's new space, MiB (ROOMKEY_SOAK_V8= lets V8 size it)
 *   soak-client-bytes-per-delivery             RSS growth / messages delivered (target < 100)
 *   soak-client-heap-bytes-per-delivery        the same for the JavaScript heap (less noisy)
 *   soak-client-js-bytes-per-delivery          heap + ArrayBuffers (ids live in ArrayBuffers)
 *   soak-client-store-bytes-per-delivery       of that, the encrypted stores' bytes (MemoryBackend here:
 *                                              a browser keeps them on disk)
 *   soak-client-js-less-store-bytes-per-delivery  heap + ArrayBuffers growth less the stores' bytes
 *   soak-deliveries, soak-lost, soak-duplicates, soak-send-errors
 *   soak-latency-p50 / -p99                    send → live delivery, ms
 * @example ROOMKEY_SOAK_SECONDS=300 npm run bench -- soak
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startStack } from '../test/helpers/stack.ts';
import type { SoakDone, SoakMemory, SoakSetup } from './_soak-clients.ts';

const CLIENTS = 20;
const ROOMS = 5;
const RATE = 5;
const MIB = 1024 * 1024;
/**
 * The clients' young generation is held at one size (16 MiB per semi-space) so that both
 * measurements see the same one. Left to itself, V8 grows it by the allocation rate (1 → 128 MiB
 * under this traffic, one-off steps that stop at its ceiling) and RSS grows with it, by no one's
 * history: with V8's own sizing 300 s read 1.37 KB per delivery (heap + ArrayBuffers 101 B); held,
 * 155 B (89 B). `ROOMKEY_SOAK_V8=` runs with V8's own sizing.
 */
const YOUNG_GEN_FIXED = '--min-semi-space-size=16 --max-semi-space-size=16';

/** Resident memory of another process (Linux /proc), bytes. */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

async function selfRss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  return process.memoryUsage().rss;
}

export async function bench(report: (name: string, value: number, unit: string) => void): Promise<void> {
  const seconds = Number(process.env.ROOMKEY_SOAK_SECONDS ?? 75);
  const stack = await startStack();
  const child = fork(new URL('./_soak-clients.ts', import.meta.url), {
    execArgv: ['--expose-gc', ...(process.env.ROOMKEY_SOAK_V8 ?? YOUNG_GEN_FIXED).split(' ').filter(Boolean)],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const replies: Array<Record<string, unknown>> = [];
  let wake: () => void = () => undefined;
  child.on('message', (m) => {
    replies.push(m as Record<string, unknown>);
    wake();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const reply = async <T>(): Promise<T> => {
    while (replies.length === 0) {
      const more = new Promise<void>((resolve) => {
        wake = resolve;
      });
      if (
        (await Promise.race([more.then(() => 'more'), exited.then(() => 'exit')])) === 'exit' &&
        !replies.length
      )
        throw new Error('soak clients exited early');
    }
    const m = replies.shift()!;
    if (m.type === 'error') throw new Error(`soak clients: ${String(m.message)}`);
    return m as T;
  };
  try {
    await stack.startGateway();
    const config = stack.clientConfig();
    const setup: SoakSetup = {
      type: 'setup',
      servers: String(config.servers),
      loginJwt: config.loginJwt,
      clients: CLIENTS,
      rooms: ROOMS,
      rate: RATE,
      durationMs: seconds * 1000,
      warmUpMs: Number(process.env.ROOMKEY_SOAK_WARM_UP_SECONDS ?? 20) * 1000,
    };
    child.send(setup);
    const start = await reply<SoakMemory>();
    const gatewayStart = await selfRss();
    const natsStart = rssOf(stack.nats.pid);
    child.send({ type: 'run' });
    const end = await reply<SoakDone>();
    const gatewayEnd = await selfRss();
    const natsEnd = rssOf(stack.nats.pid);
    child.send({ type: 'close' });
    await exited;

    report('soak-seconds', seconds, `s (${CLIENTS} clients, ${ROOMS} rooms, ${RATE} msgs/s each)`);
    report('soak-client-rss-start', start.rss / MIB, 'MiB');
    report('soak-client-rss-end', end.rss / MIB, 'MiB');
    report('soak-client-heap-total-start', start.heapTotal / MIB, 'MiB (what V8 holds for its heap)');
    report('soak-client-heap-total-end', end.heapTotal / MIB, 'MiB');
    report('soak-client-young-gen-start', start.youngGen / MIB, 'MiB (V8 new space, in heap-total)');
    report('soak-client-young-gen-end', end.youngGen / MIB, 'MiB');
    report('soak-gateway-rss-start', gatewayStart / MIB, 'MiB (the bench process, gateway in it)');
    report('soak-gateway-rss-end', gatewayEnd / MIB, 'MiB');
    report('soak-nats-rss-start', natsStart / MIB, 'MiB');
    report('soak-nats-rss-end', natsEnd / MIB, 'MiB');
    report(
      'soak-deliveries',
      end.delivered,
      `of ${end.expected} expected (${end.sent} messages acknowledged)`,
    );
    report('soak-lost', end.expected - end.delivered, 'deliveries');
    report('soak-duplicates', end.duplicates, 'deliveries');
    report('soak-send-errors', end.sendErrors, 'sends');
    report('soak-latency-p50', end.p50Ms, 'ms');
    report('soak-latency-p99', end.p99Ms, 'ms');
    const per = Math.max(1, end.delivered);
    report('soak-client-bytes-per-delivery', (end.rss - start.rss) / per, 'B (RSS growth; target < 100)');
    report('soak-client-heap-bytes-per-delivery', (end.heapUsed - start.heapUsed) / per, 'B (heap growth)');
    report(
      'soak-client-js-bytes-per-delivery',
      (end.heapUsed + end.external - start.heapUsed - start.external) / per,
      'B (heap + ArrayBuffers growth)',
    );
    // The stores stand in for a browser's disk (IndexedDB) here: their share of the growth above.
    const store = (end.storeBytes - start.storeBytes) / per;
    report('soak-client-store-bytes-per-delivery', store, 'B (encrypted store: RAM here, disk in a browser)');
    report(
      'soak-client-js-less-store-bytes-per-delivery',
      (end.heapUsed + end.external - start.heapUsed - start.external) / per - store,
      'B (heap + ArrayBuffers growth less the store)',
    );
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await stack.stop();
  }
}
