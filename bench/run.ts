// Runs one benchmark scenario by name: `npm run bench -- <scenario>` loads bench/<scenario>.ts,
// whose default export runs it; each scenario prints one final JSON line on stdout. A scenario
// that holds its figures to targets (bench/support/targets.ts) makes the run exit 1 when it
// missed any, so a script or CI step sees the miss.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { BenchOutcome } from './support/targets';

async function main() {
  // Stdout is the result line's: the library's own logs in this process stay at errors unless asked for.
  process.env.LOG_LEVEL ??= 'error';
  const name = process.argv[2] ?? '';
  const scenarios = readdirSync(path.join(process.cwd(), 'bench'))
    .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3));
  if (!scenarios.includes(name)) {
    console.error(`unknown scenario "${name}"; known: ${scenarios.join(', ')}`);
    process.exit(2);
  }
  const scenario = (await import(`./${name}`)) as { default: (args: string[]) => Promise<BenchOutcome | void> };
  const outcome = await scenario.default(process.argv.slice(3));
  if (outcome?.missed.length) {
    console.error(`${name}: missed ${outcome.missed.length} target(s): ${outcome.missed.join('; ')}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
