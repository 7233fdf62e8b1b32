// A CDP CPU profile of a page summed by what the code does: each sample's self time goes to the
// source file its frame maps to (the bundle's source map), and the file to a part (verify, decrypt,
// parse, fetch, …). Bench-only: figures, never a verdict.
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: unknown[];
  samples: number[];
  timeDeltas: number[];
}

const PARTS: Array<[part: string, test: RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['gc', /^\(garbage collector\)$/],
  ['verify', /ed25519|noble\/curves|sign\.ts|crypto\/envelope\.ts/],
  ['decrypt', /noble\/ciphers|aead\.ts/],
  ['parse-decode', /protobufjs|proto\/gen|padding\.ts|room\/received\.ts/],
  ['fetch', /@nats-io|transport\//],
  ['room-checks', /core\/room\//],
  ['client', /core\/client\//],
  ['program', /^\(program\)$/],
];

/**
 * Milliseconds of the profile per part, largest first; also prints the ten largest files.
 * @example for (const [part, ms] of await profileByPart(profile, loadMap)) report(part, ms, 'ms');
 */
export async function profileByPart(
  profile: Profile,
  loadMap: (scriptUrl: string) => Promise<string>,
): Promise<Array<[string, number]>> {
  const nodes = new Map((profile.nodes as ProfileNode[]).map((n) => [n.id, n]));
  const maps = new Map<string, TraceMap | undefined>();
  const selfMs = new Map<ProfileNode, number>();
  for (const [i, id] of profile.samples.entries()) {
    const node = nodes.get(id)!;
    selfMs.set(node, (selfMs.get(node) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const byFile = new Map<string, number>();
  for (const [node, ms] of selfMs) {
    const file = await sourceOf(node.callFrame, maps, loadMap);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  const byPart = new Map<string, number>();
  for (const [file, ms] of byFile) {
    const part = PARTS.find(([, test]) => test.test(file))?.[0] ?? 'other';
    byPart.set(part, (byPart.get(part) ?? 0) + ms);
  }
  const top = [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12);
  for (const [file, ms] of top) console.log(`  profile ${ms.toFixed(1)} ms ${file}`);
  return [...byPart].sort((a, b) => b[1] - a[1]);
}

async function sourceOf(
  frame: CallFrame,
  maps: Map<string, TraceMap | undefined>,
  loadMap: (scriptUrl: string) => Promise<string>,
): Promise<string> {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (!frame.url.includes('/dist/')) return frame.url;
  if (!maps.has(frame.url)) {
    const text = await loadMap(frame.url).catch(() => undefined);
    maps.set(frame.url, text ? new TraceMap(text) : undefined);
  }
  const map = maps.get(frame.url);
  if (!map) return frame.url;
  const pos = originalPositionFor(map, { line: frame.lineNumber + 1, column: frame.columnNumber });
  const source = pos.source ?? frame.url;
  return source.replace(/^.*node_modules\//, '').replace(/^(\.\.\/)+/, '');
}
