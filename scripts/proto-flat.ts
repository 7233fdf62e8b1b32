// Rewrites protobufjs's static module so a bundler can drop the messages a bundle never uses.
// pbjs puts every message on one object tree (`roomkey.v1.X = (function(){…})()`), which esbuild
// must keep whole: the gateway's records and every other message reached each client bundle.
// Here each message becomes its own module-level `/* @__PURE__ */` constant, exported by name;
// `proto/index.ts` re-exports the module as the namespace `v1`, and `v1.X` stays the same API.
// The types keep pbts's `roomkey.v1` namespace; flat aliases are appended so `v1.X` type-checks.

const MESSAGE_START = /^ {8}v1\.(\w+) = \(function\(\) \{$/;
const MESSAGE_END = /^ {8}\}\)\(\);$/;

/** The module-level binding of a message: prefixed so no local name inside a message shadows it. */
const binding = (name: string) => `$v1_${name}`;

/**
 * The tree-shakable form of pbjs's es6 static module (one top-level constant per message).
 * @example flattenStaticModule(readFileSync('proto/gen/roomkey.js', 'utf8'))
 */
export function flattenStaticModule(js: string): string {
  const lines = js.split('\n');
  const out: string[] = [];
  const names: string[] = [];
  let inMessage = false;
  let sawPrelude = false;
  for (const line of lines) {
    const start = MESSAGE_START.exec(line);
    if (start) {
      if (inMessage) throw new Error(`proto-flat: nested start at ${start[1]}`);
      inMessage = true;
      names.push(start[1]!);
      out.push(`const ${binding(start[1]!)} = /* @__PURE__ */ (function() {`);
      continue;
    }
    if (inMessage) {
      if (MESSAGE_END.test(line)) {
        inMessage = false;
        out.push('})();');
        continue;
      }
      out.push(
        line.replace(/\$root\.roomkey\.v1\.(\w+)/g, (_, name: string) => binding(name)).replace(/^ {8}/, ''),
      );
      continue;
    }
    // Outside messages keep only the prelude (imports and the $Reader/$Writer/$util aliases).
    if (!sawPrelude) {
      if (line.startsWith('const $root')) {
        sawPrelude = true;
        continue;
      }
      out.push(line);
    }
  }
  if (inMessage || !names.length) throw new Error('proto-flat: pbjs output has an unexpected shape');
  if (/\$root\b/.test(out.join('\n'))) throw new Error('proto-flat: a $root reference is left');
  out.push(`export { ${names.map((n) => `${binding(n)} as ${n}`).join(', ')} };`, '');
  return out.join('\n');
}

/**
 * The d.ts for the flat module: pbts's `roomkey` namespace (used in type positions) plus one
 * alias per top-level message, interface and enum, which is what the flat module exports.
 * @example flatTypes(readFileSync('proto/gen/roomkey.d.ts', 'utf8'))
 */
export function flatTypes(dts: string): string {
  const names = new Set<string>();
  for (const match of dts.matchAll(/^ {8}(?:class|interface|enum) (\w+)/gm)) names.add(match[1]!);
  if (!names.size) throw new Error('proto-flat: pbts output has an unexpected shape');
  const aliases = [...names].map((n) => `export import ${n} = roomkey.v1.${n};`);
  return `${dts.trimEnd()}\n\n${aliases.join('\n')}\n`;
}
