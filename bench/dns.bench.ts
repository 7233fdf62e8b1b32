// core/dns: what the hostile-input checks cost next to dns-packet's plain decode of the same answer
// (the anchor), a resolve against the local DoH server over loopback HTTP next to a bare fetch of
// the same request (the anchor), a cached resolve, and the resolver's bundle next to dns-packet's.
import { gzipSync } from 'node:zlib';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { build } from 'esbuild';
import { toBase64Url } from '../core/bytes.ts';
import { DohResolver, encodeQuery, readAnswer } from '../core/dns/index.ts';
import { startDohServer } from '../test/helpers/doh-server.ts';

type Report = (name: string, value: number, unit: string) => void;

function opsPerSecond(fn: () => void, ms = 500): number {
  for (let i = 0; i < 1000; i++) fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

async function p50(fn: () => Promise<unknown>, runs = 200): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

async function gzipKiB(contents: string, resolveDir: string): Promise<number> {
  const out = await build({
    stdin: { contents, resolveDir, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return gzipSync(out.outputFiles[0]!.contents, { level: 9 }).length / 1024;
}

export async function bench(report: Report): Promise<void> {
  const answer = dnsPacket.encode({
    type: 'response',
    id: 0,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type: 'A', name: 'www.rooms.example' }],
    answers: [
      { type: 'CNAME', name: 'www.rooms.example', ttl: 300, data: 'edge.cdn.example' },
      { type: 'A', name: 'edge.cdn.example', ttl: 60, data: '192.0.2.1' },
      { type: 'A', name: 'edge.cdn.example', ttl: 60, data: '192.0.2.2' },
    ],
  });
  const asked = { name: 'www.rooms.example', type: 'A' as const, id: 0 };
  report(
    'dns.decode.dns-packet',
    opsPerSecond(() => dnsPacket.decode(answer)),
    'ops/s',
  );
  report(
    'dns.decode.readAnswer',
    opsPerSecond(() => readAnswer(answer, asked)),
    'ops/s',
  );

  const server = await startDohServer({
    zone: { records: [{ name: 'gw.bench.test', type: 'A', data: '192.0.2.10' }] },
  });
  try {
    const raw = `${server.url}?dns=${toBase64Url(encodeQuery('gw.bench.test', 'A'))}`;
    report(
      'dns.http.bare-fetch.p50',
      await p50(async () => (await fetch(raw, { headers: { accept: 'application/dns-message' } })).bytes()),
      'ms',
    );
    report(
      'dns.resolve.uncached.p50',
      await p50(() => new DohResolver({ url: server.url }).resolve('gw.bench.test', 'A')),
      'ms',
    );
    const warm = new DohResolver({ url: server.url });
    await warm.resolve('gw.bench.test', 'A');
    report(
      'dns.resolve.cached.p50',
      (await p50(() => warm.resolve('gw.bench.test', 'A'), 2000)) * 1000,
      'µs',
    );
  } finally {
    await server.close();
  }

  const root = new URL('..', import.meta.url).pathname;
  report(
    'dns.bundle.dns-packet.gzip',
    await gzipKiB("import * as p from '@leichtgewicht/dns-packet'; console.log(p);", root),
    'KiB',
  );
  report(
    'dns.bundle.core-dns.gzip',
    await gzipKiB("import * as d from './core/dns/index.ts'; console.log(d);", root),
    'KiB',
  );
}
