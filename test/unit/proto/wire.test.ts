// Schema evolution: what was encoded yesterday must decode today, and field numbers keep their meaning.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encode } from '../../../core/codec.ts';
import { v1 } from '../../../proto/index.ts';
import { loadSchema } from '../../../scripts/wire-schema.ts';
import { describeSchema, type SchemaLock, schemaConflicts, toPlain } from '../../helpers/wire-schema.ts';

const fixtures = new URL('../../fixtures/wire/', import.meta.url).pathname;
const lock: SchemaLock = JSON.parse(readFileSync(join(fixtures, 'schema.lock.json'), 'utf8'));
const current = describeSchema(loadSchema());
type Codec = { decode(b: Uint8Array): object; encode(m: object): { finish(): Uint8Array } };
const generated = v1 as unknown as Record<string, Codec>;

/** Drops proto3 default values (absent on the wire) so a newer decoder's extra empty fields compare equal. */
function withoutDefaults(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDefaults);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const isDefault = v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);
      if (!isDefault) out[key] = withoutDefaults(v);
    }
    return out;
  }
  return value;
}

describe('wire schema evolution', () => {
  it('reuses no field number and retypes no field', () => {
    assert.deepEqual(schemaConflicts(lock, current), []);
  });

  it('records every current field in schema.lock.json', () => {
    const missing: string[] = [];
    for (const [message, fields] of Object.entries(current.messages)) {
      for (const number of Object.keys(fields)) {
        if (!lock.messages[message]?.[number]) missing.push(`${message} field ${number}`);
      }
    }
    assert.deepEqual(
      missing,
      [],
      'new fields: run `node scripts/wire-schema.ts` and commit the lock and fixtures',
    );
  });

  it('catches a reused number, a retyped field and an unreserved removal', () => {
    const tampered = structuredClone(lock);
    const header = tampered.messages['roomkey.v1.EnvelopeHeader']!;
    header['3'] = { name: 'epoch', type: 'uint64', rule: 'singular' };
    header['5'] = { name: 'senderName', type: 'string', rule: 'singular' };
    header['99'] = { name: 'gone', type: 'bytes', rule: 'singular' };
    const problems = schemaConflicts(tampered, current);
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems.join('\n'), /field 3 changed from singular uint64 to singular uint32/);
    assert.match(problems.join('\n'), /field 5 was senderName, now senderUserId/);
    assert.match(problems.join('\n'), /field 99 \(gone\) was removed without `reserved 99;`/);
  });

  for (const message of Object.keys(lock.messages)) {
    const short = message.replace(/^roomkey\.v1\./, '');
    it(`decodes the recorded ${short} fixture unchanged`, () => {
      const bytes = new Uint8Array(readFileSync(join(fixtures, `${short}.bin`)));
      const expected = JSON.parse(readFileSync(join(fixtures, `${short}.json`), 'utf8'));
      const type = generated[short];
      assert.ok(type, `${short} no longer exists in proto/gen`);
      const decoded = type.decode(bytes);
      // A field removed since (its number reserved: schemaConflicts checks that) is skipped by
      // today's decoder, so it drops out of the comparison and out of a re-encoding.
      const removed = Object.entries(lock.messages[message] ?? {})
        .filter(([number]) => !current.messages[message]?.[number])
        .map(([, field]) => field.name);
      for (const name of removed) delete expected[name];
      // Fields added since the fixture was recorded decode to their defaults; nothing else may change.
      assert.deepEqual(withoutDefaults(toPlain(decoded)), withoutDefaults(expected));
      if (removed.length === 0)
        assert.deepEqual(encode(type, decoded), bytes, 're-encoding must give the same bytes');
    });
  }
});
