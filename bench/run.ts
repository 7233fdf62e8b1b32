// `npm run bench`: runs every bench/*.bench.ts and prints one line per figure:
//   bench <name> <value> <unit>
// Figures are measurements, never pass/fail: a slow machine prints smaller numbers and exits 0.
// A bench module that throws is reported and the rest still run; then the exit code is 1.
import { readdirSync } from 'node:fs';

type Report = (name: string, value: number, unit: string) => void;
const dir = new URL('.', import.meta.url);
const filter = process.argv[2];
const modules = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

const report: Report = (name, value, unit) => {
  const shown = value >= 100 ? Math.round(value).toString() : Number(value.toPrecision(3)).toString();
  console.log(`bench ${name} ${shown} ${unit}`);
};

let broken = 0;
for (const file of modules) {
  const mod = (await import(new URL(file, dir).href)) as { bench?: (r: Report) => Promise<void> };
  if (typeof mod.bench !== 'function') {
    console.error(`bench/${file}: exports no bench(report) function`);
    broken++;
    continue;
  }
  try {
    await mod.bench(report);
  } catch (error) {
    console.error(`bench/${file} failed: ${(error as Error).stack ?? error}`);
    broken++;
  }
}
process.exit(broken ? 1 : 0);
