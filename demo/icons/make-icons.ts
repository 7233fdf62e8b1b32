// Draws the demo's app icons (a white key on blue, full bleed so they also work as "maskable")
// and writes them as PNGs with a tiny encoder (node:zlib only). The PNGs are committed; run again
// only to change the drawing:  node demo/icons/make-icons.ts
import { writeFileSync } from 'node:fs';
import { crc32, deflateSync } from 'node:zlib';

const BACKGROUND = [0x1f, 0x4e, 0x79] as const;
const INK = [0xff, 0xff, 0xff] as const;
/** Samples per pixel side, for smooth edges. */
const SUPERSAMPLE = 4;

/** Whether the point (x, y) in the unit square is on the key. Everything sits inside the
 * maskable safe zone (the central circle of radius 0.4). */
function onKey(x: number, y: number): boolean {
  const bow = Math.hypot(x - 0.36, y - 0.5);
  if (bow <= 0.15 && bow >= 0.07) return true;
  if (x >= 0.5 && x <= 0.78 && Math.abs(y - 0.5) <= 0.035) return true; // shaft
  if (x >= 0.62 && x <= 0.67 && y >= 0.5 && y <= 0.62) return true; // tooth
  return x >= 0.72 && x <= 0.78 && y >= 0.5 && y <= 0.66; // tooth
}

function draw(size: number): Uint8Array {
  // One filter byte (0: none) before each RGB row.
  const rows = new Uint8Array(size * (1 + size * 3));
  for (let py = 0; py < size; py++) {
    const row = py * (1 + size * 3);
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++)
        for (let sx = 0; sx < SUPERSAMPLE; sx++)
          if (onKey((px + (sx + 0.5) / SUPERSAMPLE) / size, (py + (sy + 0.5) / SUPERSAMPLE) / size)) hits++;
      const t = hits / SUPERSAMPLE ** 2;
      for (let c = 0; c < 3; c++)
        rows[row + 1 + px * 3 + c] = Math.round(BACKGROUND[c]! * (1 - t) + INK[c]! * t);
    }
  }
  return rows;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(size: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method variants, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(draw(size), { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

for (const size of [192, 512]) {
  const file = new URL(`icon-${size}.png`, import.meta.url);
  const bytes = png(size);
  writeFileSync(file, bytes);
  console.log(`${file.pathname}: ${bytes.length} bytes`);
}
