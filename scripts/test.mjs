// `npm test [-- vitest args]`: type-checks and lints, runs the whole suite, then prints one closing
// line CI reads:
//   N passed, N failed[, N skipped]
// Counts come from vitest's JSON report rather than its console output, which is for people.
// The static checks (`tsc --noEmit`, `eslint .`, `prettier --check .`) run before the whole suite and stop it when one
// fails, each counted as one failure. With named files or options they are skipped, to keep a
// developer's run short; SITEBOX_STATIC_CHECKS=1 runs them anyway, =0 skips them always.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
process.chdir(root);
const require = createRequire(import.meta.url);
// Reports are named per run, so two runs in one tree (two engineers, or an editor's runner) cannot
// read each other's counts; each finished report is then renamed under test-results/.

// Tests import the generated Prisma client; a clone that skipped postinstall has none yet.
if (!existsSync(path.join('lib', 'db', 'generated', 'client.ts'))) {
  const generated = spawnSync(process.execPath, ['scripts/prisma-generate.mjs'], { stdio: 'inherit' });
  if (generated.status !== 0) process.exit(generated.status ?? 1);
}

const vitestBin = path.join(path.dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const userArgs = process.argv.slice(2);

const staticChecks = process.env.SITEBOX_STATIC_CHECKS ? process.env.SITEBOX_STATIC_CHECKS === '1' : userArgs.length === 0;
if (staticChecks) {
  const bin = (pkg, file) => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
  // Both at once: each is mostly one thread, and their output is held back so it cannot interleave.
  const results = await Promise.all([
    runCheck('tsc --noEmit', [bin('typescript', 'bin/tsc'), '--noEmit', '--pretty']),
    runCheck('eslint .', [bin('eslint', 'bin/eslint.js'), '.', '--max-warnings', '0']),
    runCheck('prettier --check .', [bin('prettier', 'bin/prettier.cjs'), '--check', '--log-level', 'warn', '.']),
  ]);
  const failures = results.filter((result) => !result.ok);
  for (const failure of failures) process.stderr.write(`\n${failure.name} failed:\n${failure.output}\n`);
  if (failures.length) {
    console.error(`Static checks failed (${failures.map((f) => f.name).join(', ')}); tests not run.`);
    console.log(`0 passed, ${failures.length} failed`);
    process.exit(1);
  }
  console.log(`Static checks passed: ${results.map((r) => r.name).join(', ')}`);
}

function runCheck(name, args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('exit', (code, signal) => resolve({ name, ok: code === 0, output: output.trim() || `(${signal ?? `exit code ${code}`})` }));
  });
}
// The whole suite runs in two passes: everything but the browser tests in parallel, then the
// browser tests one file at a time. Each browser test drives a real server and Chromium; on two
// cores they flake when they compete with other files for the CPU. With arguments, one pass.
const passes = userArgs.length
  ? [userArgs]
  : [
      ['--exclude', 'tests/e2e/**'],
      ['tests/e2e', '--no-file-parallelism'],
    ];

let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
for (const [index, passArgs] of passes.entries()) {
  // The browser tests' server needs a production build; make it here, once, rather than inside the
  // first browser test's setup, whose time limit a slow or busy machine can exceed.
  if (passArgs.some((arg) => arg.startsWith('tests/e2e'))) {
    const build = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], {
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    if (build.status !== 0) {
      console.error('next build failed; browser tests not run.');
      console.log(`${passed} passed, ${failed + 1} failed`);
      process.exit(1);
    }
  }
  const reportFile = path.join('test-results', `vitest.${process.pid}.${index}.json`);
  const args = [vitestBin, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`, ...passArgs];
  const child = spawn(process.execPath, args, {
    stdio: 'inherit',
    // Vite warns that a future config loader will need "type": "module" to read vitest.config.ts as
    // ESM; package.json leaves "type" out on purpose (Next.js), so the warning is only noise today.
    env: { VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true', ...process.env },
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const [code, signal] = await new Promise((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  if (signal) exitCode = 1;
  else if (code !== 0) exitCode = code ?? 1;

  if (existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    passed += report.numPassedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    // A file that failed outside any test (import error, failing beforeAll, crashed worker) has no
    // failed test of its own; count it once so the line never reads "0 failed" for a broken run.
    const brokenFiles = report.testResults.filter(
      (file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'),
    ).length;
    failed += report.numFailedTests + brokenFiles;
    renameSync(reportFile, path.join('test-results', passes.length > 1 ? `vitest.${index + 1}.json` : 'vitest.json'));
  } else {
    console.error(`vitest wrote no report (${signal ?? `exit code ${code}`})`);
    exitCode ||= 1;
  }
  if (signal) break;
}

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 || exitCode !== 0 ? exitCode || 1 : 0);
