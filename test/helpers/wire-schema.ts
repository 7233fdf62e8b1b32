// Shared by scripts/wire-schema.ts (writes the lock and fixtures) and the wire test (checks them).
import type protobuf from 'protobufjs';
import { toHex } from '../../core/bytes.ts';

export interface FieldShape {
  name: string;
  type: string;
  rule: 'repeated' | 'optional' | 'singular';
}
export interface SchemaLock {
  messages: Record<string, Record<string, FieldShape>>;
  enums: Record<string, Record<string, string>>;
}

function walk(ns: protobuf.NamespaceBase, visit: (o: protobuf.ReflectionObject) => void): void {
  for (const child of ns.nestedArray) {
    visit(child);
    if ('nestedArray' in child) walk(child as protobuf.NamespaceBase, visit);
  }
}

export function describeSchema(
  schema: protobuf.Root,
): SchemaLock & { reserved: Record<string, Set<number>> } {
  const out: SchemaLock & { reserved: Record<string, Set<number>> } = {
    messages: {},
    enums: {},
    reserved: {},
  };
  walk(schema, (o) => {
    const full = o.fullName.replace(/^\./, '');
    if ('fieldsArray' in o) {
      const type = o as protobuf.Type;
      const fields: Record<string, FieldShape> = {};
      for (const f of type.fieldsArray) {
        const resolved = f.resolvedType ? f.resolvedType.fullName.replace(/^\./, '') : f.type;
        const rule = f.repeated ? 'repeated' : f.options?.proto3_optional ? 'optional' : 'singular';
        fields[String(f.id)] = { name: f.name, type: resolved, rule };
      }
      out.messages[full] = fields;
      const reserved = new Set<number>();
      for (const r of type.reserved ?? []) {
        if (Array.isArray(r)) for (let n = r[0]!; n <= r[1]!; n++) reserved.add(n);
      }
      out.reserved[full] = reserved;
    } else if ('values' in o && !('fieldsArray' in o)) {
      const values: Record<string, string> = {};
      for (const [name, number] of Object.entries((o as protobuf.Enum).values)) values[String(number)] = name;
      out.enums[full] = values;
    }
  });
  return out;
}

/** Every way the current schema breaks what was recorded: reuse, retype, or removal without `reserved`. */
export function schemaConflicts(lock: SchemaLock, current: ReturnType<typeof describeSchema>): string[] {
  const problems: string[] = [];
  for (const [message, fields] of Object.entries(lock.messages)) {
    const now = current.messages[message];
    if (!now) {
      problems.push(
        `${message} was removed: keep it (deprecate it) — stored data and old clients still use it.`,
      );
      continue;
    }
    for (const [number, was] of Object.entries(fields)) {
      const is = now[number];
      if (!is) {
        if (!current.reserved[message]?.has(Number(number))) {
          problems.push(
            `${message} field ${number} (${was.name}) was removed without \`reserved ${number};\`.`,
          );
        }
        continue;
      }
      if (is.type !== was.type || is.rule !== was.rule) {
        problems.push(
          `${message} field ${number} changed from ${was.rule} ${was.type} to ${is.rule} ${is.type}: never retype a field; add a new number and reserve this one.`,
        );
      } else if (is.name !== was.name) {
        problems.push(
          `${message} field ${number} was ${was.name}, now ${is.name}: a field number is never reused for another field.`,
        );
      }
    }
  }
  for (const [name, values] of Object.entries(lock.enums)) {
    const now = current.enums[name];
    if (!now) {
      problems.push(`enum ${name} was removed.`);
      continue;
    }
    for (const [number, was] of Object.entries(values)) {
      if (now[number] !== undefined && now[number] !== was) {
        problems.push(
          `enum ${name} value ${number} was ${was}, now ${now[number]}: never reuse an enum number.`,
        );
      }
    }
  }
  return problems;
}

/** A deterministic, fully populated message: every field set, repeated fields with two items. */
export function sampleMessage(type: protobuf.Type, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const oneofSeen = new Set<string>();
  for (const field of type.fieldsArray) {
    if (field.partOf) {
      if (oneofSeen.has(field.partOf.name)) continue;
      oneofSeen.add(field.partOf.name);
    }
    const one = (i: number): unknown => sampleValue(field, i, depth);
    const value = field.repeated ? [one(0), one(1)] : one(0);
    if (value !== undefined) out[field.name] = value;
  }
  return out;
}

function sampleValue(field: protobuf.Field, i: number, depth: number): unknown {
  const resolved = field.resolvedType;
  if (resolved && 'fieldsArray' in resolved) {
    return depth < 3 ? sampleMessage(resolved as protobuf.Type, depth + 1) : {};
  }
  if (resolved) {
    const numbers = Object.values((resolved as protobuf.Enum).values);
    return Math.max(...numbers);
  }
  const seed = field.id + i;
  switch (field.type) {
    case 'string':
      return `${field.name}-${i}-ü`;
    case 'bytes':
      return Uint8Array.from({ length: 3 + (seed % 5) }, (_, k) => (seed * 31 + k * 7) & 0xff);
    case 'bool':
      return true;
    case 'uint64':
    case 'int64':
    case 'fixed64':
      return 1_764_000_000_000 + seed;
    default:
      return 100 + seed;
  }
}

/** Decoded message → JSON-safe plain data (bytes as hex) for comparison. */
export function toPlain(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      if (key.startsWith('$')) continue;
      out[key] = toPlain(v);
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) return String(value);
  return value;
}
