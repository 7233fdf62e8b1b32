// A gateway in its own process, as an operator runs it (`roomkey-gateway start`), so fault tests
// can `kill -9` it: the in-process gateways of stack.ts can only be stopped politely. It speaks
// TCP to the test's nats-server (its own process, so nats.js's one-transport rule does not apply).
import { type ChildProcess, spawn } from 'node:child_process';
import { stackPaths } from '../../gateway/data-dir.ts';
import type { TestStack } from './stack.ts';

const CLI = new URL('../../gateway/cli.ts', import.meta.url).pathname;
const READY = 'roomkey: gateway serving on';

export interface GatewayProcess {
  readonly pid: number;
  /** `kill -9`, as a crash or an OOM kill would; resolves once the process is gone. */
  kill(): Promise<void>;
  /** A new gateway process on the same deployment; resolves once it serves. */
  restart(): Promise<void>;
  /** SIGTERM (safe to call twice, and after kill). */
  stop(): Promise<void>;
}

/**
 * Starts `roomkey-gateway start` against the stack's nats-server; resolves once it serves.
 * @example const gateway = await startGatewayProcess(stack); await gateway.kill(); await gateway.restart();
 */
export async function startGatewayProcess(stack: TestStack, timeoutMs = 20_000): Promise<GatewayProcess> {
  let child = await launch(stack, timeoutMs);
  return {
    get pid() {
      return child.pid ?? 0;
    },
    async kill() {
      await signal(child, 'SIGKILL');
    },
    async restart() {
      await signal(child, 'SIGKILL');
      child = await launch(stack, timeoutMs);
    },
    async stop() {
      await signal(child, 'SIGTERM');
    },
  };
}

async function launch(stack: TestStack, timeoutMs: number): Promise<ChildProcess> {
  const data = stack.nats.stack.dir;
  const paths = stackPaths(data);
  const child = spawn(
    process.execPath,
    [CLI, 'start', '--nats', stack.nats.clientUrl, '--creds', paths.gatewayCreds, '--data', data],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const log = process.env['ROOMKEY_TEST_GATEWAY_LOG'];
  const read = (chunk: Buffer) => {
    out += chunk.toString();
    if (log) process.stderr.write(`[gateway ${child.pid}] ${chunk}`);
  };
  child.stdout!.on('data', read);
  child.stderr!.on('data', read);
  const started = Date.now();
  while (!out.includes(READY)) {
    if (child.exitCode !== null || Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the gateway process did not start within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

function signal(child: ChildProcess, name: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(name);
  return gone;
}
