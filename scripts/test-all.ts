// `npm test`: every check CI relies on, in order — generated code fresh, lint and types, then each
// test layer. Every step runs even after a failure (so one report shows everything); the exit code
// is non-zero if any step failed. The last line is the total: `N passed, N failed`.
import { spawn } from 'node:child_process';

interface Step {
  name: string;
  script: string;
}

const steps: Step[] = [
  { name: 'proto:check', script: 'proto:check' },
  { name: 'lint', script: 'lint' },
  { name: 'unit', script: 'test:unit' },
  { name: 'integration', script: 'test:integration' },
  { name: 'browser', script: 'test:browser' },
  { name: 'e2e', script: 'test:e2e' },
];

/** Reads the runners' own summaries: node:test (`ℹ pass N`) and @web/test-runner (`N passed, N failed`). */
function countTests(output: string): { passed: number; failed: number } {
  const clean = output.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g'), '');
  const nodePass = [...clean.matchAll(/^ℹ pass (\d+)$/gm)].map((m) => Number(m[1]));
  // A cancelled test (its hook failed, or it outlived its parent) did not pass: count it as failed.
  const nodeFail = [...clean.matchAll(/^ℹ (?:fail|cancelled) (\d+)$/gm)].map((m) => Number(m[1]));
  if (nodePass.length) return { passed: sum(nodePass), failed: sum(nodeFail) };
  const wtr = [...clean.matchAll(/\| (\d+) passed, (\d+) failed/g)].at(-1);
  if (wtr) return { passed: Number(wtr[1]), failed: Number(wtr[2]) };
  return { passed: 0, failed: 0 };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function run(step: Step): Promise<{ code: number; output: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', step.script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
      process.stderr.write(chunk);
    });
    child.on('close', (code) =>
      resolve({ code: code ?? 1, output, seconds: (performance.now() - started) / 1000 }),
    );
  });
}

let passed = 0;
let failed = 0;
const report: string[] = [];
for (const step of steps) {
  console.log(`\n=== ${step.name} ===`);
  const result = await run(step);
  const counts = countTests(result.output);
  passed += counts.passed;
  failed += counts.failed;
  const ok = result.code === 0;
  // A step that exits non-zero without a failing test (e.g. lint, a crash) still counts as a failure.
  if (!ok && counts.failed === 0) failed += 1;
  report.push(
    `${ok ? 'ok  ' : 'FAIL'} ${step.name.padEnd(12)} ${counts.passed} passed, ${counts.failed} failed  (${result.seconds.toFixed(1)} s)`,
  );
}
console.log('\n=== summary ===');
for (const line of report) console.log(line);
console.log(`${passed} passed, ${failed} failed`);
process.exit(report.some((line) => line.startsWith('FAIL')) ? 1 : 0);
