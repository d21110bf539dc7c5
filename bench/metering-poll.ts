// `npm run bench -- metering-poll [--processes N] [--looks L]`: what one look at the running
// processes costs the metering agent (lib/agent/metering/list-processes.ts) on a busy machine.
// It starts N more processes (default 1,000), then alternates L looks of the agent's ProcessTable
// with L bare reads of every process's stat line (the least any look at /proc must read, to know
// which process a pid names now), replacing 1% of the processes between rounds as a machine does.
// Final JSON line:
//   {"scenario":"metering-poll","processes":P,"looks":L,"lookCpuMs":…,"baselineCpuMs":…,"ratio":…,
//    "firstLookCpuMs":…,"coreShareAtDefault":…,"missedPids":…,"targets":{…},"missed":[…]}
//   lookCpuMs / baselineCpuMs: CPU per look, this process; ratio = lookCpuMs / baselineCpuMs.
//   firstLookCpuMs: a fresh table's look (every process read whole: the agent's first).
//   coreShareAtDefault: lookCpuMs as a share of one core at the site's default interval.
//   missedPids: the started processes a look did not list (counted over every look).
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { ProcessTable } from '../lib/agent/metering/list-processes';
import { clientAgentSectionSchema } from '../lib/sitecontrol/site-control.schema';
import { reportFigures, type BenchOutcome } from './support/targets';

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

function startSleeper(): ChildProcess {
  return spawn('/bin/sleep', ['3600'], { stdio: 'ignore' });
}

/** The raw substrate: every process's stat line read, nothing kept. */
function readEveryStat(): number {
  let read = 0;
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      read += readFileSync(`/proc/${name}/stat`, 'utf8').length > 0 ? 1 : 0;
    } catch {
      /* gone */
    }
  }
  return read;
}

function cpuMs(work: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  return Promise.resolve(work()).then(() => {
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  });
}

export default async function meteringPoll(args: string[]): Promise<BenchOutcome> {
  const count = option(args, '--processes', 1000);
  const looks = option(args, '--looks', 40);
  const sleepers = Array.from({ length: count }, startSleeper);
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const firstLookCpuMs = await cpuMs(() => new ProcessTable().list());
    const table = new ProcessTable();
    await table.list();
    let lookCpu = 0;
    let baselineCpu = 0;
    let missedPids = 0;
    for (let round = 0; round < looks; round++) {
      // A machine's processes come and go: 1% replaced before each round.
      for (let i = 0; i < Math.ceil(count / 100); i++) {
        const at = (round * 7 + i * 13) % count;
        sleepers[at].kill('SIGKILL');
        sleepers[at] = startSleeper();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      let listed: Set<number> = new Set();
      const look = () => table.list().then((processes) => (listed = new Set(processes.map((p) => p.pid))));
      const bare = () => readEveryStat();
      // Alternate which goes first, so neither always finds the other's warm caches.
      if (round % 2) {
        lookCpu += await cpuMs(look);
        baselineCpu += await cpuMs(bare);
      } else {
        baselineCpu += await cpuMs(bare);
        lookCpu += await cpuMs(look);
      }
      missedPids += sleepers.filter((child) => !listed.has(child.pid!)).length;
    }
    const lookCpuMs = lookCpu / looks;
    const defaultSeconds = clientAgentSectionSchema.parse({}).meteringAgent.processPollSeconds;
    return reportFigures(
      'metering-poll',
      {
        processes: readdirSync('/proc').filter((name) => /^\d+$/.test(name)).length,
        looks,
        lookCpuMs: Number(lookCpuMs.toFixed(2)),
        baselineCpuMs: Number((baselineCpu / looks).toFixed(2)),
        ratio: Number((lookCpu / baselineCpu).toFixed(2)),
        firstLookCpuMs: Number(firstLookCpuMs.toFixed(2)),
        coreShareAtDefault: Number((lookCpuMs / (defaultSeconds * 1000)).toFixed(4)),
        missedPids,
      },
      { ratio: { max: 2 }, missedPids: { equals: 0 }, coreShareAtDefault: { max: 0.01 } },
    );
  } finally {
    for (const child of sleepers) child.kill('SIGKILL');
  }
}
