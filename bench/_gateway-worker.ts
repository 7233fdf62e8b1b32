// Helper of rooms-scale.bench.ts (not a bench): one gateway in a worker thread, connected over TCP
// as `roomkey-gateway start` connects, so it has its own event loop and transport the way a
// deployed gateway is its own process (the bench's clients stay on WebSocket, as browsers are).
// nats.js keeps one transport per realm; a worker is its own realm.
// Input (workerData): { dir, servers }. Messages out: 'ready' once it serves, 'stopped' after a
// 'stop' message in. `node --cpu-prof` writes this thread's profile apart from the main thread's.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { readStack, stackPaths } from '../gateway/data-dir.ts';
import { startGateway } from '../gateway/gateway.ts';

const UNLIMITED = { maxAttempts: 1_000_000, windowMs: 60_000, lockMs: 1000 };
const job = workerData as { dir: string; servers: string[] };
const paths = stackPaths(job.dir);
const gateway = await startGateway({
  stack: readStack(job.dir),
  servers: job.servers,
  gatewayCreds: readFileSync(paths.gatewayCreds),
  appCreds: readFileSync(paths.gatewayAppCreds),
  sysCreds: readFileSync(paths.sysCreds),
  log: () => undefined,
  // The bench signs its users up from 127.0.0.1, as the test stack does.
  signUpRateLimits: { connection: UNLIMITED, source: UNLIMITED },
});
parentPort!.on('message', async (m: string) => {
  if (m !== 'stop') return;
  await gateway.stop();
  parentPort!.postMessage('stopped');
});
parentPort!.postMessage('ready');
