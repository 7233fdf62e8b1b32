/**
 * The framing walk: checks that every length in a DNS message agrees with the bytes before any
 * field is decoded. dns-packet decodes fields without bounds checks (a value read past the end
 * becomes `undefined` or 0: a cut A record decodes as "127.0.0.undefined") and reads A and AAAA
 * data without looking at their length, so the resolver hands it only messages this walk accepted,
 * and only the records it will use. It decodes no value itself, except the numbers that frame.
 * @example const frame = frameMessage(bytes); frame.records.filter((r) => r.section === 'answer')
 */
import { MalformedError } from '../errors.ts';

export type Section = 'answer' | 'authority' | 'additional';

/** Where one question sits; `end` is the offset just after it. */
export interface QuestionFrame {
  offset: number;
  end: number;
  type: number;
  klass: number;
}

/** Where one resource record sits, with its framing numbers. */
export interface RecordFrame {
  section: Section;
  offset: number;
  end: number;
  type: number;
  klass: number;
  ttl: number;
}

export interface MessageFrame {
  id: number;
  flags: number;
  questions: QuestionFrame[];
  records: RecordFrame[];
}

export const TYPE = { A: 1, CNAME: 5, SOA: 6, AAAA: 28 } as const;
const HEADER_BYTES = 12;
/** RFC 1035 §3.1: 255 octets on the wire, every label's length byte and the root's included. */
const MAX_NAME_OCTETS = 255;
/** Compression pointers followed in one name; real names need a handful. */
const MAX_POINTER_HOPS = 32;

function malformed(why: string): MalformedError {
  return new MalformedError(
    `The DNS answer is malformed (${why}): the resolver is broken or hostile; try again or choose another resolver.`,
  );
}

function u16(bytes: Uint8Array, at: number): number {
  if (at + 2 > bytes.length) throw malformed(`cut off at byte ${bytes.length}`);
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/**
 * Walks one (possibly compressed) name at `at`; returns the offset just after it in place.
 * Pointers must point strictly before the labels that hold them (so walks end) and past the header.
 * `strict` (names the resolver compares or follows): labels are printable ASCII without '.', as
 * dns-packet would join an embedded dot or a control byte into a different-looking name.
 * @example skipName(bytes, 12) // the offset just after the first question's name
 */
export function skipName(bytes: Uint8Array, at: number, strict = true): number {
  let pos = at;
  let segmentStart = at;
  let end = -1;
  let octets = 1;
  for (let hops = 0; ; ) {
    if (pos >= bytes.length) throw malformed('a name runs past the end');
    const len = bytes[pos]!;
    if (len === 0) return end === -1 ? pos + 1 : end;
    if ((len & 0xc0) === 0xc0) {
      const target = u16(bytes, pos) & 0x3fff;
      if (target >= segmentStart || target < HEADER_BYTES)
        throw malformed('a name pointer does not point backwards into the message');
      if (++hops > MAX_POINTER_HOPS) throw malformed('a name follows too many pointers');
      if (end === -1) end = pos + 2;
      pos = target;
      segmentStart = target;
      continue;
    }
    if (len & 0xc0) throw malformed('a name uses an unknown label type');
    if (pos + 1 + len > bytes.length) throw malformed('a name label runs past the end');
    octets += len + 1;
    if (octets > MAX_NAME_OCTETS) throw malformed('a name is longer than 255 octets');
    for (let i = pos + 1; strict && i <= pos + len; i++) {
      const c = bytes[i]!;
      if (c < 0x21 || c > 0x7e || c === 0x2e)
        throw malformed('a name label holds a byte that is not a host name character');
    }
    pos += 1 + len;
  }
}

function checkRecordData(bytes: Uint8Array, type: number, start: number, end: number, strict: boolean): void {
  const length = end - start;
  if (type === TYPE.A && length !== 4) throw malformed(`an A record holds ${length} bytes, not 4`);
  if (type === TYPE.AAAA && length !== 16) throw malformed(`an AAAA record holds ${length} bytes, not 16`);
  if (type === TYPE.CNAME && skipName(bytes, start, strict) !== end)
    throw malformed('a CNAME target does not fill its record');
  // The SOA's own names (primary server, mailbox) are never used: framing only.
  if (type === TYPE.SOA && skipName(bytes, skipName(bytes, start, false), false) + 20 !== end)
    throw malformed('an SOA record does not fill its record');
}

/**
 * Checks the framing of a whole message (header, every question and record, nothing after the
 * last) and returns where each part sits; MalformedError on the first inconsistency.
 * @example frameMessage(await response.bytes()).questions.length // 1
 */
export function frameMessage(bytes: Uint8Array): MessageFrame {
  if (bytes.length < HEADER_BYTES) throw malformed(`${bytes.length} bytes is shorter than a DNS header`);
  const counts = [u16(bytes, 4), u16(bytes, 6), u16(bytes, 8), u16(bytes, 10)] as const;
  const frame: MessageFrame = { id: u16(bytes, 0), flags: u16(bytes, 2), questions: [], records: [] };
  let pos = HEADER_BYTES;
  for (let i = 0; i < counts[0]; i++) {
    const nameEnd = skipName(bytes, pos);
    if (nameEnd + 4 > bytes.length) throw malformed('a question is cut off');
    frame.questions.push({
      offset: pos,
      end: nameEnd + 4,
      type: u16(bytes, nameEnd),
      klass: u16(bytes, nameEnd + 2),
    });
    pos = nameEnd + 4;
  }
  const sections: Section[] = ['answer', 'authority', 'additional'];
  sections.forEach((section, s) => {
    for (let i = 0; i < counts[s + 1]!; i++) {
      // Answer owners, and CNAME targets in the answer, are compared with the question.
      const strict = section === 'answer';
      const nameEnd = skipName(bytes, pos, strict || section === 'authority');
      if (nameEnd + 10 > bytes.length) throw malformed(`an ${section} record is cut off`);
      const type = u16(bytes, nameEnd);
      const rdataStart = nameEnd + 10;
      const end = rdataStart + u16(bytes, nameEnd + 8);
      if (end > bytes.length) throw malformed(`an ${section} record's data runs past the end`);
      checkRecordData(bytes, type, rdataStart, end, strict);
      const ttl = u16(bytes, nameEnd + 4) * 0x10000 + u16(bytes, nameEnd + 6);
      frame.records.push({ section, offset: pos, end, type, klass: u16(bytes, nameEnd + 2), ttl });
      pos = end;
    }
  });
  if (pos !== bytes.length) throw malformed(`${bytes.length - pos} bytes follow the last record`);
  return frame;
}
