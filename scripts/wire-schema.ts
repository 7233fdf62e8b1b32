// Schema evolution guard. Reads proto/roomkey/v1/*.proto with protobufjs reflection and
//  - records every field (number → name, type, label) and enum value in test/fixtures/wire/schema.lock.json,
//  - writes one fully populated encoded fixture per message type that has none yet.
// Both are append-only: an existing entry that changed is refused, never rewritten.
// test/unit/proto/wire.test.ts checks the same rules on every run.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { v1 } from '../proto/index.ts';
import {
  describeSchema,
  type SchemaLock,
  sampleMessage,
  schemaConflicts,
  toPlain,
} from '../test/helpers/wire-schema.ts';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test', 'fixtures', 'wire');
const lockPath = join(fixtures, 'schema.lock.json');

export function loadSchema(): protobuf.Root {
  const dir = join(root, 'proto', 'roomkey', 'v1');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.proto'))
    .map((f) => join(dir, f));
  const schema = new protobuf.Root();
  schema.resolvePath = (_origin, target) =>
    target.startsWith('roomkey/') ? join(root, 'proto', target) : target;
  schema.loadSync(files, { keepCase: false });
  schema.resolveAll();
  return schema;
}

if (import.meta.main) {
  mkdirSync(fixtures, { recursive: true });
  const schema = loadSchema();
  const current = describeSchema(schema);
  const lock: SchemaLock = existsSync(lockPath)
    ? JSON.parse(readFileSync(lockPath, 'utf8'))
    : { messages: {}, enums: {} };
  const conflicts = schemaConflicts(lock, current);
  if (conflicts.length) {
    console.error(conflicts.join('\n'));
    process.exit(1);
  }
  for (const [name, fields] of Object.entries(current.messages)) {
    lock.messages[name] = { ...fields, ...lock.messages[name] };
  }
  for (const [name, values] of Object.entries(current.enums)) {
    lock.enums[name] = { ...values, ...lock.enums[name] };
  }
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 1)}\n`);
  let made = 0;
  for (const name of Object.keys(current.messages)) {
    const short = name.replace(/^roomkey\.v1\./, '');
    const bin = join(fixtures, `${short}.bin`);
    if (existsSync(bin)) continue;
    const type = schema.lookupType(name);
    const message = sampleMessage(type);
    const bytes = type.encode(type.fromObject(message)).finish();
    writeFileSync(bin, bytes);
    const generated = (v1 as unknown as Record<string, { decode(b: Uint8Array): unknown }>)[short]!;
    writeFileSync(
      join(fixtures, `${short}.json`),
      `${JSON.stringify(toPlain(generated.decode(bytes)), null, 1)}\n`,
    );
    made++;
  }
  console.log(`schema.lock.json: ${Object.keys(lock.messages).length} messages; ${made} new fixtures`);
}
