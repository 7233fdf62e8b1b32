/**
 * Reads a DoH answer as hostile input: framing first (_framing.ts), then dns-packet decodes only
 * the question and the records used. It must be a response to exactly the question asked (id,
 * name, type, class), not truncated; the answer section may hold only the CNAME chain from the
 * name asked (at most MAX_CNAME_CHAIN links, no loop) and records of the asked type at its end.
 * @example const answer = readAnswer(bytes, { name: 'gw.example', type: 'A', id: 0 });
 */
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { MalformedError, UnavailableError } from '../errors.ts';
import { frameMessage, type RecordFrame, TYPE } from './_framing.ts';
import type { AddressType } from './query.ts';

/** CNAME links followed within one answer (as many resolvers bound their own chasing). */
export const MAX_CNAME_CHAIN = 8;

/** What an answer says: addresses, or that the name (NXDOMAIN) or the type (NODATA) is not there. */
export type AnswerResult =
  | { kind: 'addresses'; addresses: string[]; canonicalName: string; ttlS: number }
  | { kind: 'nxdomain' | 'nodata'; canonicalName: string; ttlS: number | undefined };

export interface Asked {
  /** Normalized (lower case, no trailing dot). */
  name: string;
  type: AddressType;
  id: number;
}

const QR = 0x8000;
const OPCODE = 0x7800;
const TC = 0x0200;
const CLASS_IN = 1;
const TYPE_DNAME = 39;
const TYPE_RRSIG = 46;
const RCODE_NAMES: Record<number, string> = { 1: 'FORMERR', 2: 'SERVFAIL', 4: 'NOTIMP', 5: 'REFUSED' };

function lying(why: string): MalformedError {
  return new MalformedError(
    `The DNS answer ${why}: the resolver is broken or hostile; try again or choose another resolver.`,
  );
}

/** RFC 2181 §8: a TTL with the top bit set means zero. */
function ttlOf(record: RecordFrame): number {
  return record.ttl > 0x7fffffff ? 0 : record.ttl;
}

function decodeRecord(bytes: Uint8Array, record: RecordFrame): dnsPacket.Answer {
  let decoded: dnsPacket.Answer;
  try {
    decoded = dnsPacket.answer.decode(bytes, record.offset);
  } catch (cause) {
    throw new MalformedError(
      `The DNS answer holds a record that does not decode: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  // The framing walk and the library must agree on where the record ends.
  if ((dnsPacket.answer.decode as { bytes?: number }).bytes !== record.end - record.offset)
    throw lying('holds a record whose length is inconsistent');
  return decoded;
}

const lower = (name: string) => name.toLowerCase();

/** `name` equals `zone` or lies under it, on a label boundary. */
function within(name: string, zone: string): boolean {
  return zone === '.' || name === zone || name.endsWith(`.${zone}`);
}

function checkQuestion(bytes: Uint8Array, frame: ReturnType<typeof frameMessage>, asked: Asked): void {
  if (!(frame.flags & QR)) throw lying('is a query, not a response');
  if (frame.flags & OPCODE) throw lying('is not a response to a standard query');
  if (frame.id !== asked.id) throw lying(`has id ${frame.id}, not the ${asked.id} asked`);
  if (frame.flags & TC) throw lying('is marked truncated, which DNS over HTTPS never needs');
  if (frame.questions.length !== 1) throw lying(`repeats ${frame.questions.length} questions instead of 1`);
  const question = dnsPacket.question.decode(bytes, frame.questions[0]!.offset);
  if (
    lower(question.name) !== asked.name ||
    question.type !== asked.type ||
    frame.questions[0]!.klass !== CLASS_IN
  )
    throw lying(`answers ${question.type} ${JSON.stringify(question.name)}, not ${asked.type} ${asked.name}`);
}

/** Follows CNAMEs from the asked name; returns the chain's names (first: asked, last: canonical) and its lowest TTL. */
function followChain(answers: Array<{ record: RecordFrame; decoded: dnsPacket.Answer }>, asked: Asked) {
  const links = new Map<string, { target: string; ttl: number }>();
  for (const { record, decoded } of answers) {
    if (decoded.type !== 'CNAME') continue;
    const owner = lower(decoded.name);
    if (links.has(owner)) throw lying(`gives ${owner} two CNAMEs`);
    links.set(owner, { target: lower(decoded.data as string), ttl: ttlOf(record) });
  }
  const chain = [asked.name];
  let ttl = Number.POSITIVE_INFINITY;
  for (let link = links.get(asked.name); link; link = links.get(chain[chain.length - 1]!)) {
    if (chain.includes(link.target)) throw lying(`has a CNAME loop through ${link.target}`);
    if (chain.length > MAX_CNAME_CHAIN) throw lying(`has a CNAME chain longer than ${MAX_CNAME_CHAIN}`);
    chain.push(link.target);
    ttl = Math.min(ttl, link.ttl);
  }
  return { chain, ttl };
}

/** RFC 2308 §5: the negative TTL is the lesser of the SOA's TTL and its MINIMUM field. */
function negativeTtl(bytes: Uint8Array, records: RecordFrame[], canonicalName: string): number | undefined {
  let ttl: number | undefined;
  for (const record of records) {
    if (record.section !== 'authority' || record.type !== TYPE.SOA || record.klass !== CLASS_IN) continue;
    const soa = decodeRecord(bytes, record) as dnsPacket.SoaAnswer;
    // An SOA for an unrelated zone says nothing about this name: ignored, the default applies.
    if (!within(canonicalName, lower(soa.name))) continue;
    const candidate = Math.min(ttlOf(record), soa.data.minimum ?? 0);
    ttl = ttl === undefined ? candidate : Math.min(ttl, candidate);
  }
  return ttl;
}

/**
 * The meaning of a DoH answer to `asked`. MalformedError for anything inconsistent or not asked;
 * UnavailableError when the resolver could not answer (SERVFAIL, REFUSED, ...).
 * @example readAnswer(bytes, { name: 'gw.example', type: 'AAAA', id: 0 }).kind // 'addresses'
 */
export function readAnswer(bytes: Uint8Array, asked: Asked, resolver = 'the resolver'): AnswerResult {
  const frame = frameMessage(bytes);
  checkQuestion(bytes, frame, asked);
  const rcode = frame.flags & 0xf;
  if (rcode !== 0 && rcode !== 3)
    throw new UnavailableError(
      `${resolver} could not resolve ${asked.name} (${RCODE_NAMES[rcode] ?? `DNS error ${rcode}`}): try again later, or choose another resolver.`,
    );
  const answers = frame.records
    .filter(
      (record) => record.section === 'answer' && record.type !== TYPE_DNAME && record.type !== TYPE_RRSIG,
    )
    .map((record) => {
      if (record.klass !== CLASS_IN || (record.type !== TYPE.CNAME && record.type !== TYPE[asked.type]))
        throw lying(`holds a record of type ${record.type} class ${record.klass}, which was not asked`);
      return { record, decoded: decodeRecord(bytes, record) };
    });
  const { chain, ttl: chainTtl } = followChain(answers, asked);
  const canonicalName = chain[chain.length - 1]!;
  const addresses: string[] = [];
  let ttl = chainTtl;
  for (const { record, decoded } of answers) {
    const owner = lower(decoded.name);
    if (decoded.type === 'CNAME') {
      if (!chain.includes(owner)) throw lying(`holds a CNAME for ${owner}, which was not asked`);
      continue;
    }
    if (owner !== canonicalName) throw lying(`holds an address for ${owner}, which was not asked`);
    const address = decoded.data as string;
    if (!addresses.includes(address)) addresses.push(address);
    ttl = Math.min(ttl, ttlOf(record));
  }
  if (rcode === 3) {
    if (addresses.length > 0) throw lying(`says ${asked.name} does not exist and gives its addresses`);
    return { kind: 'nxdomain', canonicalName, ttlS: negativeTtl(bytes, frame.records, canonicalName) };
  }
  if (addresses.length === 0)
    return { kind: 'nodata', canonicalName, ttlS: negativeTtl(bytes, frame.records, canonicalName) };
  return { kind: 'addresses', addresses, canonicalName, ttlS: ttl };
}
