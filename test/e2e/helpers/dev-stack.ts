// The real local stack for an e2e test: `node gateway/cli.ts dev` (what `npm start` runs) as a
// child process with a temp data dir and free loopback ports, its URLs read from what it prints.
// stop() ends it (SIGTERM, then SIGKILL for it and its nats-server); dispose() also removes the
// temp dir. Tests that need the server side's view (creds, KV, raw streams) use `paths`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackPaths } from '../../../gateway/data-dir.ts';
import { repoRoot } from './build.ts';

export interface DevStackUrls {
  /** The demo page, e.g. http://127.0.0.1:41234/ */
  web: string;
  config: string;
  nats: string;
  natsWebSocket: string;
}

export interface RunningDevStack {
  urls: DevStackUrls;
  /** The page origin (no trailing slash), for permissions and CDP. */
  origin: string;
  dataDir: string;
  paths: ReturnType<typeof stackPaths>;
  /** Everything the stack printed so far (for failure messages). */
  output(): string;
  /** Stops the stack (idempotent); the data dir stays until dispose(). */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

const LABELS = { demo: 'web', config: 'config', NATS: 'nats', WebSocket: 'natsWebSocket' } as const;

export async function startDevStack(
  options: {
    startTimeoutMs?: number;
    /** ROOMKEY_LOG_LEVEL of the stack, e.g. 'debug' to log every request. */
    logLevel?: string;
  } = {},
): Promise<RunningDevStack> {
  const tmp = mkdtempSync(join(tmpdir(), 'roomkey-e2e-'));
  const dataDir = join(tmp, 'data');
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'gateway', 'cli.ts'), 'dev', '--data', dataDir, '--http-port', '0'],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.logLevel ? { ...process.env, ROOMKEY_LOG_LEVEL: options.logLevel } : process.env,
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let natsPid: number | undefined;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    // If the CLI died without stopping its nats-server (SIGKILL), end that one too, by its pid.
    if (natsPid) killQuietly(natsPid);
  };
  const dispose = async () => {
    await stop();
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const urls = await readUrls(child, () => output, options.startTimeoutMs ?? 60_000);
    natsPid = Number(/nats-server\s+pid (\d+)/.exec(output)?.[1]) || undefined;
    return {
      urls,
      origin: new URL(urls.web).origin,
      dataDir,
      paths: stackPaths(dataDir),
      output: () => output,
      stop,
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** Waits for the "RoomKey local stack is up" block and parses its URLs. */
function readUrls(child: ChildProcess, output: () => string, timeoutMs: number): Promise<DevStackUrls> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => done(new Error(`local stack did not start in ${timeoutMs} ms:\n${output()}`)),
      timeoutMs,
    );
    const onExit = (code: number | null) =>
      done(new Error(`local stack exited (${code}) before it was up:\n${output()}`));
    const onData = () => {
      if (!output().includes('Ctrl-C stops everything.')) return;
      const urls: Partial<DevStackUrls> = {};
      for (const [label, key] of Object.entries(LABELS)) {
        const match = new RegExp(`^\\s+${label}\\s+(\\S+)$`, 'm').exec(output());
        if (match) urls[key] = match[1];
      }
      if (urls.web && urls.config && urls.nats && urls.natsWebSocket) done(undefined, urls as DevStackUrls);
      else done(new Error(`could not read the local stack's URLs from:\n${output()}`));
    };
    function done(error: Error | undefined, urls?: DevStackUrls) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      if (error) reject(error);
      else resolve(urls!);
    }
    child.once('exit', onExit);
    // After the collector above has appended the chunk.
    child.stdout?.on('data', onData);
  });
}

/** SIGKILLs `pid` if it is still a nats-server (a pid can be reused once its process is gone). */
function killQuietly(pid: number): void {
  try {
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('nats-server')) return;
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
