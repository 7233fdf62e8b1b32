// A DNS-over-HTTPS server (RFC 8484) on 127.0.0.1 for tests, built on the same DNS library as
// core/dns (@leichtgewicht/dns-packet). It answers GET ?dns= and POST from a test zone (CNAMEs
// followed, NXDOMAIN/NODATA with the zone's SOA), logs every request so a test can say "no lookup
// happened", sends CORS headers so a page on another loopback port can use it, and can be told to
// fail (HTTP errors, SERVFAIL/REFUSED, stalls, redirects) or to lie (the DohLie list below).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { fromBase64Url } from '../../core/bytes.ts';

export interface ZoneRecord {
  name: string;
  type: 'A' | 'AAAA' | 'CNAME';
  data: string;
  /** Seconds; default 300. */
  ttl?: number;
}

export interface TestZone {
  records: ZoneRecord[];
  /** Sent with NXDOMAIN/NODATA for names under `zone` (RFC 2308). */
  soa?: { zone: string; ttl: number; minimum: number };
}

/** Ways to lie, each a hostile answer core/dns must refuse, except `other-address`. */
export type DohLie =
  | 'truncated' // the answer cut 3 bytes before its end
  | 'wrong-id' // id 0x1234, not the query's
  | 'wrong-name' // question and answer for evil.test instead of the name asked
  | 'wrong-type' // AAAA question and answer when A was asked (or A when AAAA was)
  | 'foreign-record' // the right answer plus an A record for evil.test
  | 'cname-loop' // asked → loop-b.test → asked
  | 'long-chain' // 12 CNAMEs before the address
  | 'oversized' // a well-framed message of about 120 000 bytes, Content-Length set
  | 'endless' // a chunked body that does not end (stops after 16 MiB or when the client leaves)
  | 'tc-flag' // the TC (truncated) flag on a whole answer
  | 'query-echo' // the query itself sent back (QR clear)
  | 'content-type' // an HTML page instead of application/dns-message
  | 'bad-rdlength' // the A record's length field says 5 and one byte more follows
  | 'pointer-loop' // the answer's owner name is a compression pointer to itself
  | 'dotted-label' // the answer's owner is ONE label holding the dots of the name asked
  | 'trailing-bytes' // four zero bytes after the last record
  | 'nxdomain-with-answer' // NXDOMAIN and the addresses anyway
  | 'other-address'; // a well-formed answer naming 203.0.113.66: undetectable by a client

export type DohBehaviour =
  | { mode: 'answer' }
  | { mode: 'http-error'; status: number }
  | { mode: 'rcode'; rcode: 'SERVFAIL' | 'REFUSED' }
  | { mode: 'stall' } // reads the request, never answers
  | { mode: 'slow-body' } // sends the headers, never the body
  | { mode: 'redirect'; location: string }
  | { mode: 'lie'; lie: DohLie };

export interface DohRequest {
  method: string;
  /** Undefined when the request held no decodable query. */
  name?: string;
  type?: string;
  id?: number;
  queryBytes: number;
  accept?: string;
  userAgent?: string;
  origin?: string;
}

export interface TestDohServer {
  /** http://127.0.0.1:port/dns-query */
  url: string;
  /** Every DNS request received (OPTIONS preflights are not counted). */
  requests: DohRequest[];
  zone: TestZone;
  /** What the next requests get (default `{ mode: 'answer' }`). */
  behave(behaviour: DohBehaviour): void;
  close(): Promise<void>;
}

const DNS_MESSAGE = 'application/dns-message';
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, POST',
  'access-control-allow-headers': 'content-type, accept',
};
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const FLAGS = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;

type Question = dnsPacket.Question;
type Packet = dnsPacket.Packet;

const lower = (name: string) => name.toLowerCase().replace(/\.$/, '');

/** The zone's answer: CNAMEs from the name asked, then its records of the type asked. */
function zoneAnswer(zone: TestZone, query: Packet, rcodeOverride?: number): Packet {
  const question = query.questions![0]!;
  const answers: dnsPacket.Answer[] = [];
  let current = lower(question.name);
  for (let i = 0; i < 16; i++) {
    const cname = zone.records.find((r) => lower(r.name) === current && r.type === 'CNAME');
    if (!cname) break;
    answers.push({ type: 'CNAME', name: current, ttl: cname.ttl ?? 300, data: lower(cname.data) });
    current = lower(cname.data);
  }
  const end = current;
  for (const r of zone.records)
    if (lower(r.name) === end && r.type === question.type)
      answers.push({ type: r.type, name: end, ttl: r.ttl ?? 300, data: r.data } as dnsPacket.Answer);
  const exists = zone.records.some((r) => lower(r.name) === end);
  const found = answers.some((a) => a.type === question.type);
  const authorities: dnsPacket.Answer[] = [];
  const soa = zone.soa;
  if (!found && soa && (end === soa.zone || end.endsWith(`.${soa.zone}`)))
    authorities.push({
      type: 'SOA',
      name: soa.zone,
      ttl: soa.ttl,
      data: {
        mname: `ns.${soa.zone}`,
        rname: `hostmaster.${soa.zone}`,
        serial: 1,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: soa.minimum,
      },
    });
  const rcode = rcodeOverride ?? (exists || found ? RCODE.NOERROR : RCODE.NXDOMAIN);
  return {
    type: 'response',
    id: query.id ?? 0,
    flags: FLAGS | rcode,
    questions: [{ ...question }],
    answers,
    authorities,
  };
}

/** The answer as a real resolver sends it: with an EDNS(0) OPT record in the additional section. */
function withOpt(packet: Packet): Packet {
  return { ...packet, additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options: [] } as never] };
}

const A = (name: string, data: string): dnsPacket.Answer => ({ type: 'A', name, ttl: 300, data });
const CNAME = (name: string, data: string): dnsPacket.Answer => ({ type: 'CNAME', name, ttl: 300, data });

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The bytes of a lie (a Uint8Array), or a function that writes the whole HTTP response itself. */
function lieBytes(lie: DohLie, zone: TestZone, query: Packet): Uint8Array | ((res: ServerResponse) => void) {
  const question = query.questions![0]!;
  const asked = lower(question.name);
  const honest = zoneAnswer(zone, query);
  switch (lie) {
    case 'truncated': {
      const bytes = dnsPacket.encode(honest);
      return bytes.slice(0, bytes.length - 3);
    }
    case 'wrong-id':
      return dnsPacket.encode({ ...honest, id: ((query.id ?? 0) + 0x1234) & 0xffff });
    case 'wrong-name':
      return dnsPacket.encode({
        ...honest,
        questions: [{ ...question, name: 'evil.test' }],
        answers: [A('evil.test', '203.0.113.66')],
      });
    case 'wrong-type': {
      const type = question.type === 'A' ? 'AAAA' : 'A';
      const data = type === 'A' ? '203.0.113.66' : '2001:db8::66';
      return dnsPacket.encode({
        ...honest,
        questions: [{ ...question, type }],
        answers: [{ type, name: asked, ttl: 300, data }],
      });
    }
    case 'foreign-record':
      return dnsPacket.encode({
        ...honest,
        answers: [...(honest.answers ?? []), A('evil.test', '203.0.113.66')],
      });
    case 'cname-loop':
      return dnsPacket.encode({
        ...honest,
        answers: [CNAME(asked, 'loop-b.test'), CNAME('loop-b.test', asked), A(asked, '203.0.113.66')],
      });
    case 'long-chain': {
      const names = [asked, ...Array.from({ length: 12 }, (_, i) => `hop${i + 1}.test`)];
      const links = names.slice(1).map((target, i) => CNAME(names[i]!, target));
      return dnsPacket.encode({
        ...honest,
        answers: [...links, A(names[names.length - 1]!, '203.0.113.66')],
      });
    }
    case 'oversized': {
      const pad = (i: number) =>
        ({ type: 'NULL', name: `pad${i}.test`, ttl: 300, data: new Uint8Array(60_000) }) as dnsPacket.Answer;
      return dnsPacket.encode({ ...honest, additionals: [pad(1), pad(2)] });
    }
    case 'endless':
      return (res) => {
        res.writeHead(200, { ...CORS, 'content-type': DNS_MESSAGE });
        const chunk = new Uint8Array(16 * 1024);
        let sent = 0;
        // Bounded: at most 1024 chunks (16 MiB), and stops as soon as the client goes away.
        const next = () => {
          if (res.destroyed || sent++ >= 1024) return void res.end();
          if (res.write(chunk)) setImmediate(next);
          else res.once('drain', next);
        };
        next();
      };
    case 'tc-flag':
      return dnsPacket.encode({ ...honest, flags: (honest.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE });
    case 'query-echo':
      return dnsPacket.encode(query);
    case 'content-type':
      return (res) => {
        res.writeHead(200, { ...CORS, 'content-type': 'text/html' });
        res.end('<!doctype html><p>Not a resolver</p>');
      };
    case 'bad-rdlength': {
      // The only record is the last A: its length's low byte sat 5 bytes from the old end.
      const bytes = concat(
        dnsPacket.encode({ ...honest, answers: [A(asked, '192.0.2.1')], authorities: [] }),
        new Uint8Array(1),
      );
      bytes[bytes.length - 6] = 5;
      return bytes;
    }
    case 'pointer-loop': {
      const head = dnsPacket.encode({ ...honest, answers: [], authorities: [] });
      head[7] = 1; // ANCOUNT = 1: the record below
      const at = head.length;
      const owner = new Uint8Array([0xc0 | (at >> 8), at & 0xff]);
      const rest = new Uint8Array([0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 203, 0, 113, 66]);
      return concat(head, owner, rest);
    }
    case 'dotted-label': {
      // Encoded as one label with 0x01 where the dots go, then the dots written into that label.
      const bytes = dnsPacket.encode({
        ...honest,
        answers: [A(asked.replace(/\./g, '\x01'), '203.0.113.66')],
      });
      const label = 12 + dnsPacket.question.encodingLength(question);
      for (let i = label + 1; i <= label + bytes[label]!; i++) if (bytes[i] === 1) bytes[i] = 0x2e;
      return bytes;
    }
    case 'trailing-bytes':
      return concat(dnsPacket.encode(honest), new Uint8Array(4));
    case 'nxdomain-with-answer':
      return dnsPacket.encode({
        ...honest,
        flags: FLAGS | RCODE.NXDOMAIN,
        answers: [A(asked, '203.0.113.66')],
      });
    case 'other-address':
      return dnsPacket.encode({ ...honest, answers: [A(asked, '203.0.113.66')] });
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) return undefined;
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Starts a DoH server on 127.0.0.1 (a free port) answering from `zone`; `close()` when done.
 * @example const doh = await startDohServer({ zone: { records: [{ name: 'gw.test', type: 'A', data: '192.0.2.1' }] } });
 */
export async function startDohServer(
  options: { zone?: TestZone; path?: string } = {},
): Promise<TestDohServer> {
  const path = options.path ?? '/dns-query';
  const requests: DohRequest[] = [];
  let behaviour: DohBehaviour = { mode: 'answer' };
  const zone: TestZone = options.zone ?? { records: [] };

  const send = (res: ServerResponse, status: number, body: Uint8Array | string, type = DNS_MESSAGE) => {
    res.writeHead(status, {
      ...CORS,
      'content-type': type,
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'OPTIONS') return void res.writeHead(204, CORS).end();
    if (url.pathname !== path) return send(res, 404, 'not found', 'text/plain');
    let bytes: Uint8Array | undefined;
    if (req.method === 'GET') {
      const dns = url.searchParams.get('dns');
      bytes = dns ? fromBase64Url(dns) : undefined;
    } else if (req.method === 'POST') {
      if ((req.headers['content-type'] ?? '') !== DNS_MESSAGE)
        return send(res, 415, 'wrong type', 'text/plain');
      bytes = await readBody(req, 65535);
    } else return send(res, 405, 'GET or POST', 'text/plain');
    let query: Packet | undefined;
    try {
      query = bytes ? dnsPacket.decode(bytes) : undefined;
    } catch {
      query = undefined;
    }
    const question: Question | undefined = query?.questions?.[0];
    requests.push({
      method: req.method,
      ...(question && { name: question.name, type: question.type, id: query!.id }),
      queryBytes: bytes?.length ?? 0,
      ...(req.headers.accept && { accept: req.headers.accept }),
      ...(req.headers['user-agent'] && { userAgent: req.headers['user-agent'] }),
      ...(req.headers.origin && { origin: req.headers.origin }),
    });
    if (!query || !question || query.type !== 'query') return send(res, 400, 'no DNS query', 'text/plain');
    switch (behaviour.mode) {
      case 'answer':
        return send(res, 200, dnsPacket.encode(withOpt(zoneAnswer(zone, query))));
      case 'http-error':
        return send(res, behaviour.status, 'failing as told', 'text/plain');
      case 'rcode':
        return send(
          res,
          200,
          dnsPacket.encode({ ...zoneAnswer(zone, query, RCODE[behaviour.rcode]), answers: [] }),
        );
      case 'stall':
        return; // closed by close()
      case 'slow-body':
        return void res.writeHead(200, { ...CORS, 'content-type': DNS_MESSAGE }).flushHeaders();
      case 'redirect':
        return void res.writeHead(302, { ...CORS, location: behaviour.location }).end();
      case 'lie': {
        const lie = lieBytes(behaviour.lie, zone, query);
        return typeof lie === 'function' ? lie(res) : send(res, 200, lie);
      }
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) send(res, 500, String(error), 'text/plain');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests,
    zone,
    behave(next) {
      behaviour = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
