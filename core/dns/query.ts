/**
 * The DNS query a DoH request carries (RFC 8484 §4.1): one question, recursion desired, id 0 so
 * HTTP caches can share answers, and EDNS(0) padding to a multiple of 128 bytes (RFC 8467) so the
 * query's length does not tell an observer of the encrypted stream which name was asked.
 * @example const bytes = encodeQuery('gw.example', 'A');
 */
import * as dnsPacket from '@leichtgewicht/dns-packet';

/** The address record types this resolver asks for. */
export type AddressType = 'A' | 'AAAA';

/** RFC 8467 §4.1: clients pad queries to a multiple of 128 octets. */
export const QUERY_BLOCK = 128;

/** RFC 8484 §4.1: id 0 in every DoH query. */
export const QUERY_ID = 0;

/**
 * Wire bytes of a padded query for `name` (already normalized) and `type`.
 * @example encodeQuery('gw.example', 'AAAA').length % 128 // 0
 */
export function encodeQuery(name: string, type: AddressType): Uint8Array {
  const padding = { code: 'PADDING' as const, length: 0 };
  const packet: dnsPacket.Packet = {
    type: 'query',
    id: QUERY_ID,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name, class: 'IN' }],
    additionals: [
      { type: 'OPT', name: '.', udpPayloadSize: 4096, options: [padding] } as unknown as dnsPacket.Answer,
    ],
  };
  padding.length = (QUERY_BLOCK - (dnsPacket.encodingLength(packet) % QUERY_BLOCK)) % QUERY_BLOCK;
  return dnsPacket.encode(packet);
}
