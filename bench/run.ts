// Runs one benchmark scenario by name: `npm run bench -- <scenario>` loads bench/<scenario>.ts,
// whose default export runs it; each scenario prints one final JSON line on stdout.
import { readdirSync } from 'node:fs';
import path from 'node:path';

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
  const scenario = (await import(`./${name}`)) as { default: (args: string[]) => Promise<void> };
  await scenario.default(process.argv.slice(3));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
