// footprint: the memory and idle CPU of a freshly started demo site — what `npm start` runs (the
// compiled server, its workers sharing a process, the embedded PostgreSQL), 500 demo devices —
// against the same site laid out as it was before: every process running the TypeScript sources
// through tsx and every worker in a process of its own, measured the same way in the same run.
//
//   npm run bench -- footprint [--settle-seconds 30] [--measure-seconds 30] [--no-baseline]
//
// Prints one JSON line:
// {"scenario":"footprint","rssMb":R,"processes":P,"idleCpuPct":C,"startSeconds":S,"pssMb":…,"baseline":{…},…}
//   rssMb: the resident memory of every process of the site (the server and everything it started,
//     PostgreSQL's processes included) summed, once settled — shared pages count in each process
//     that maps them, so this overstates; pssMb splits shared pages between their processes.
//   idleCpuPct: CPU time of those processes over --measure-seconds of idling, in % of one core.
//   startSeconds: from spawning the server until /api/health answers "ok" (every worker beating).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../lib/net/free-port';
import { buildServer } from '../scripts/build-server.mjs';
import { processTree, readProcessTable, TICKS_PER_SECOND } from './support/process-table';
import { sleep, stopSitebox } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

/** Issue 18's targets: the whole idle site under 600 MB, starting no slower than before. */
const targets: Record<string, Target> = {
  rssMb: { max: 600 },
  startRatio: { max: 1.1 },
};

const log = (message: string) => process.stderr.write(`[footprint] ${message}\n`);

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

interface Sample {
  pid: number;
  command: string;
  rssKb: number;
  pssKb: number;
  cpuTicks: number;
}

/** Every process below `root` (and root), read from /proc. */
async function processSamples(root: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (const { pid, cpuTicks } of processTree(readProcessTable(), root)) {
    const [status, rollup, cmdline] = await Promise.all(
      [`/proc/${pid}/status`, `/proc/${pid}/smaps_rollup`, `/proc/${pid}/cmdline`].map((f) => readFile(f, 'utf8').catch(() => '')),
    );
    if (!status) continue;
    samples.push({
      pid,
      command: cmdline.replaceAll('\0', ' ').trim().slice(0, 100),
      rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0),
      pssKb: Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0),
      cpuTicks,
    });
  }
  return samples;
}

async function measureSite(options: { compiled: boolean; settleMs: number; measureMs: number }) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-bench-footprint-'));
  // The embedded PostgreSQL runs as the postgres user when started as root: it must enter the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    SITEBOX_DATA_DIR: path.join(dir, 'data'),
    SITEBOX_EMBEDDED_PG_PORT: String(await freePort()),
    SITEBOX_NOTIFICATION_PORT: String(await freePort()),
    SITEBOX_ADMIN_PASSWORD: 'bench-admin-password',
    SITEBOX_SEED_DEVICES: '500',
    LOG_LEVEL: 'warn',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  delete env.DATABASE_URL;
  delete env.SITEBOX_WORKERS;
  if (!options.compiled) env.SITEBOX_WORKERS_APART = '*';
  const started = performance.now();
  const child: ChildProcess = options.compiled
    ? spawn(process.execPath, ['dist/server/server.mjs'], { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true })
    : spawn(process.execPath, ['--import', 'tsx', 'server.ts'], { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true });
  try {
    let startSeconds = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the site exited with code ${child.exitCode} while starting`);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`)
        .then((r) => r.json() as Promise<{ status: string }>)
        .catch(() => null);
      if (health?.status === 'ok') {
        startSeconds = (performance.now() - started) / 1000;
        break;
      }
      if (performance.now() - started > 300_000) throw new Error('the site did not report ok within 5 minutes');
      await sleep(250);
    }
    log(`${options.compiled ? 'compiled' : 'baseline'}: ok after ${startSeconds.toFixed(1)} s; settling`);
    await sleep(options.settleMs);
    const before = await processSamples(child.pid!);
    await sleep(options.measureMs);
    const after = await processSamples(child.pid!);
    const ticks = (samples: Sample[]) => samples.reduce((sum, s) => sum + s.cpuTicks, 0);
    const common = after.filter((s) => before.some((b) => b.pid === s.pid));
    const cpuSeconds = (ticks(common) - ticks(before.filter((b) => common.some((s) => s.pid === b.pid)))) / TICKS_PER_SECOND;
    for (const s of [...after].sort((a, b) => b.rssKb - a.rssKb)) log(`  ${(s.rssKb / 1024).toFixed(0).padStart(5)} MB  ${s.command}`);
    return {
      rssMb: Math.round(after.reduce((sum, s) => sum + s.rssKb, 0) / 1024),
      pssMb: Math.round(after.reduce((sum, s) => sum + s.pssKb, 0) / 1024),
      processes: after.length,
      nodeProcesses: after.filter((s) => s.command.includes('node')).length,
      idleCpuPct: Math.round((cpuSeconds / (options.measureMs / 1000)) * 1000) / 10,
      startSeconds: Math.round(startSeconds * 10) / 10,
    };
  } finally {
    await stopSitebox(child);
    await rm(dir, { recursive: true, force: true });
  }
}

export default async function footprint(args: string[]) {
  const settleMs = option(args, 'settle-seconds', 30) * 1000;
  const measureMs = option(args, 'measure-seconds', 30) * 1000;
  log('checking the console build and compiling the server (npm start does the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0)
    throw new Error('build failed');
  await buildServer();
  const site = await measureSite({ compiled: true, settleMs, measureMs });
  const baseline = args.includes('--no-baseline') ? null : await measureSite({ compiled: false, settleMs, measureMs });
  return reportFigures(
    'footprint',
    {
      ...site,
      startRatio: baseline ? Math.round((site.startSeconds / baseline.startSeconds) * 100) / 100 : null,
      baselineRssMb: baseline?.rssMb ?? null,
      baselinePssMb: baseline?.pssMb ?? null,
      baselineProcesses: baseline?.processes ?? null,
      baselineIdleCpuPct: baseline?.idleCpuPct ?? null,
      baselineStartSeconds: baseline?.startSeconds ?? null,
    },
    baseline ? targets : { rssMb: targets.rssMb },
  );
}
