import { decode, encode } from '../../core/codec.ts';
import { MalformedError } from '../../core/errors.ts';
import { v1 } from '../../proto/index.ts';
import { equal, rejects } from '../helpers/assert.ts';

describe('proto in Chromium', () => {
  it('round-trips a uint64 as a number', () => {
    const bytes = encode(v1.PresenceBeacon, { userId: 'u', sentAtMs: 1764000000123 });
    const back = decode(v1.PresenceBeacon, bytes, 'beacon');
    equal(back.sentAtMs, 1764000000123);
    equal(typeof back.sentAtMs, 'number');
  });
  it('rejects truncated bytes with a typed error', async () => {
    await rejects(() => decode(v1.EnvelopeHeader, new Uint8Array([0x12, 0x09, 0x41]), 'h'), MalformedError);
  });
});
