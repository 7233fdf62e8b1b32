// The client side of the soak (soak.bench.ts), in a process of its own so its memory is measured
// alone: CLIENTS sessions in ROOMS rooms (each room: its creator and three invitees), every client
// sending RATE messages a second into its room while the others receive live. Everything this
// harness counts with is allocated before the first measurement, so growth is the clients' own.
// Driven over IPC: setup → ready{memory} → run → done{figures} → close.
import { getHeapSpaceStatistics } from 'node:v8';
import { RoomKeySession } from '../core/client/session.ts';
import type { StoredMessage } from '../core/client/types.ts';
import { MemoryBackend } from '../core/store/memory-backend.ts';

export interface SoakSetup {
  type: 'setup';
  servers: string;
  loginJwt: string;
  clients: number;
  rooms: number;
  rate: number;
  durationMs: number;
  /** The same traffic before the first measurement, uncounted: bounded caches fill, code warms. */
  warmUpMs: number;
}

export interface SoakMemory {
  rss: number;
  heapUsed: number;
  /** Memory outside the JavaScript heap that V8 tracks (ArrayBuffers: ids, keys, buffers). */
  external: number;
  /** What V8 holds for its heap, used or not. */
  heapTotal: number;
  /** Of that, the young generation (new space): V8 sizes it by the allocation rate. */
  youngGen: number;
  /**
   * Bytes the clients' encrypted stores hold (MemoryBackend: RAM here, disk in a browser),
   * inside heap + ArrayBuffers; counted after the other figures were read.
   */
  storeBytes: number;
}

export interface SoakDone extends SoakMemory {
  type: 'done';
  sent: number;
  sendErrors: number;
  expected: number;
  delivered: number;
  duplicates: number;
  p50Ms: number;
  p99Ms: number;
}

const STORE_PARAMS = { t: 1, mKib: 256, p: 1 };
const PADDING = 'x'.repeat(200);

function send(message: unknown): void {
  process.send?.(message);
}

/** V8's heap spaces, used/reserved MiB each (diagnosis: which one the reservation grows in). */
function spaces(): string {
  return getHeapSpaceStatistics()
    .map(
      (s) =>
        `${s.space_name.replace('_space', '')} ${(s.space_used_size / 2 ** 20).toFixed(1)}/${(s.space_size / 2 ** 20).toFixed(1)}`,
    )
    .join(' ');
}

const backends: MemoryBackend[] = [];

async function storeBytes(): Promise<number> {
  let bytes = 0;
  for (const backend of backends) {
    for (const key of await backend.keys()) bytes += (await backend.get(key))?.length ?? 0;
  }
  return bytes;
}

async function settle(): Promise<SoakMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const { rss, heapUsed, external, heapTotal } = process.memoryUsage();
  if (process.env.ROOMKEY_SOAK_TRACE) console.error(`soak settle: ${spaces()}`);
  // Diagnosis only: ROOMKEY_SOAK_HEAP=dir writes a heap snapshot at each measurement.
  if (process.env.ROOMKEY_SOAK_HEAP) {
    const { writeHeapSnapshot } = await import('node:v8');
    writeHeapSnapshot(`${process.env.ROOMKEY_SOAK_HEAP}/soak-${Date.now()}.heapsnapshot`);
  }
  const youngGen = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  return { rss, heapUsed, external, heapTotal, youngGen, storeBytes: await storeBytes() };
}

async function soak(setup: SoakSetup): Promise<void> {
  const { clients, rooms, rate } = setup;
  const perRoom = clients / rooms;
  const maxPerSender = Math.ceil((setup.durationMs / 1000) * rate) + 50;
  // [receiver][sender][n]: deliveries seen; [sender][n]: acknowledged by JetStream.
  const seen = new Uint8Array(clients * clients * maxPerSender);
  const acked = new Uint8Array(clients * maxPerSender);
  const latencies = new Float64Array(clients * (perRoom - 1) * maxPerSender);
  let delivered = 0;
  let duplicates = 0;
  const stamp = Date.now().toString(36);

  const sessions: RoomKeySession[] = [];
  for (let i = 0; i < clients; i++) {
    const backend = new MemoryBackend();
    backends.push(backend);
    sessions.push(
      await RoomKeySession.signUp({
        config: { servers: setup.servers, loginJwt: setup.loginJwt, requestTimeoutMs: 5000 },
        backend,
        storeParams: STORE_PARAMS,
        username: `soak${stamp}c${i}`,
        password: `soak-password-${i}`,
      }),
    );
  }
  const roomOf: string[] = [];
  for (let r = 0; r < rooms; r++) {
    const { roomId } = await sessions[r]!.createRoom(`soak ${r}`);
    for (let k = 1; k < perRoom; k++) await sessions[r]!.invite(roomId, `soak${stamp}c${r + k * rooms}`);
    for (let k = 0; k < perRoom; k++) roomOf[r + k * rooms] = roomId;
  }
  for (const session of sessions) await session.listRooms();

  sessions.forEach((session, receiver) => {
    session.on('message', (m: StoredMessage) => {
      if (m.status !== 'received' || !m.text.startsWith('soak|')) return;
      const [, c, n, at] = m.text.split('|');
      const at3 = (receiver * clients + Number(c)) * maxPerSender + Number(n);
      if (seen[at3]) {
        duplicates++;
        return;
      }
      seen[at3] = 1;
      latencies[delivered++] = Date.now() - Number(at);
    });
  });
  let sent = 0;
  let sendErrors = 0;
  /** Every client sends `rate` messages a second for `ms`; `counted` ones are numbered and tracked. */
  const traffic = async (ms: number, counted: boolean): Promise<void> => {
    const inFlight = new Set<Promise<void>>();
    const next = new Array<number>(clients).fill(0);
    const timers = sessions.map((session, c) =>
      setInterval(() => {
        const n = next[c]!++;
        if (counted && n >= maxPerSender) return;
        const text = `${counted ? 'soak' : 'warm'}|${c}|${n}|${Date.now()}|${PADDING}`;
        const p = session
          .send(roomOf[c]!, text)
          .then(
            () => {
              if (!counted) return;
              acked[c * maxPerSender + n] = 1;
              sent++;
            },
            () => {
              if (counted) sendErrors++;
            },
          )
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
      }, 1000 / rate),
    );
    await new Promise((resolve) => setTimeout(resolve, ms));
    for (const t of timers) clearInterval(t);
    await Promise.all(inFlight);
  };
  await traffic(setup.warmUpMs, false);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  send({ type: 'ready', ...(await settle()) });

  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  // Diagnosis only: ROOMKEY_SOAK_TRACE=1 prints memory every 10 s of the measured run.
  const trace = process.env.ROOMKEY_SOAK_TRACE
    ? setInterval(() => {
        const m = process.memoryUsage();
        const mib = (n: number) => (n / 2 ** 20).toFixed(1);
        console.error(
          `soak trace: delivered ${delivered} rss ${mib(m.rss)} heap ${mib(m.heapUsed)}/${mib(m.heapTotal)} external ${mib(m.external)} MiB; ${spaces()}`,
        );
      }, 10_000)
    : undefined;
  await traffic(setup.durationMs, true);
  clearInterval(trace);
  const expected = sent * (perRoom - 1);
  // Drain: until every acknowledged message arrived, or nothing more came for 10 s.
  for (let last = -1, quiet = 0; delivered < expected && quiet < 20; ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    quiet = delivered === last ? quiet + 1 : 0;
    last = delivered;
  }
  // Loss: acknowledged messages some member of the room never received.
  let got = 0;
  for (let c = 0; c < clients; c++) {
    for (let k = 1; k < perRoom; k++) {
      const receiver = (c + k * rooms) % clients;
      for (let n = 0; n < maxPerSender; n++) {
        if (acked[c * maxPerSender + n] && seen[(receiver * clients + c) * maxPerSender + n]) got++;
      }
    }
  }
  // Measured as the start was: 2 s after the traffic stopped, then forced GCs.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const memory = await settle();
  const sorted = latencies.slice(0, delivered).sort();
  const done: SoakDone = {
    type: 'done',
    ...memory,
    sent,
    sendErrors,
    expected,
    delivered: got,
    duplicates,
    p50Ms: sorted[Math.floor(sorted.length * 0.5)] ?? Number.NaN,
    p99Ms: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN,
  };
  send(done);
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  await Promise.allSettled(sessions.map((s) => s.close()));
  process.exit(0);
}

process.once('message', (setup: SoakSetup) => {
  soak(setup).catch((error: Error) => {
    send({ type: 'error', message: error.stack ?? String(error) });
    process.exit(1);
  });
});
