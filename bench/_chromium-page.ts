// The page side of crypto-chromium.bench.ts: bundled by esbuild and run in Chromium, it runs the
// same figure modules as the Node benches and hands the rows back to Node.
import { ceilingFigures } from './_ceiling-figures.ts';
import { hpkeFigures } from './_hpke-figures.ts';
import { rotationFigures } from './_rotation-figures.ts';
import { unlockFigures } from './_unlock-figures.ts';

type Row = [name: string, value: number, unit: string];

/**
 * Runs every in-browser figure; resolves to the rows in the order they were measured.
 * @example const rows = await page.evaluate(() => roomkeyBench());
 */
async function roomkeyBench(): Promise<Row[]> {
  const rows: Row[] = [];
  const report = (name: string, value: number, unit: string) => {
    rows.push([name, value, unit]);
  };
  // ?only=hpke,unlock runs those alone (crypto-chromium.bench.ts passes ROOMKEY_BENCH_ROWS).
  const only = new URLSearchParams(location.search).get('only')?.split(',');
  const wanted = (name: string) => !only || only.includes(name);
  if (wanted('hpke')) await hpkeFigures(report);
  if (wanted('unlock')) await unlockFigures(report, 3);
  if (wanted('rotation')) await rotationFigures(report);
  if (wanted('ceiling')) await ceilingFigures(report);
  return rows;
}

(globalThis as unknown as { roomkeyBench: typeof roomkeyBench }).roomkeyBench = roomkeyBench;
