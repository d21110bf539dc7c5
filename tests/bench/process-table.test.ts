import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuMeter, isPostgres, processTree, readProcess, readProcessTable, type ProcessEntry } from '@/bench/support/process-table';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/**
 * A node process that spins for `spinMs` of its own CPU time once told to (a line on stdin), and
 * fills `touchMb` of fresh memory, then idles; resolves once it has started up.
 */
async function startChild(spinMs: number, touchMb = 0): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `let kept; process.stdin.once('data', () => { const from = process.cpuUsage(); while (process.cpuUsage(from).user < ${spinMs} * 1000); kept = Buffer.alloc(${touchMb} * 1048576, 1); console.log('done'); }); setInterval(() => kept, 1000); console.log('ready');`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  children.push(child);
  await new Promise((resolve) => child.stdout!.once('data', resolve));
  return child;
}

const entry = (pid: number, ppid: number, name = 'node'): ProcessEntry => ({ pid, ppid, name, cpuTicks: 0, minorFaults: 0 });

// Benchmarks run on Linux, as the agent's process listing and its tests do: /proc is read as it is.
describe('the process table', () => {
  it('reads this process with its parent and name', () => {
    const self = readProcess(process.pid);
    expect(self).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(self!.cpuTicks).toBeGreaterThan(0);
    expect(readProcessTable().some((e) => e.pid === process.pid)).toBe(true);
  });

  it('walks a tree below its root, leaving out the subtrees it is told to skip', () => {
    const table = [entry(1, 0), entry(10, 1), entry(11, 10), entry(12, 10, 'postgres'), entry(13, 12, 'postgres'), entry(20, 1)];
    expect(processTree(table, 10).map((e) => e.pid)).toEqual([10, 11, 12, 13]);
    expect(processTree(table, 10, isPostgres).map((e) => e.pid)).toEqual([10, 11]);
    expect(processTree(table, 99)).toEqual([]);
  });

  it('meters the CPU time and page faults of the group that worked, not of the one that idled', async () => {
    const [busy, idle] = await Promise.all([startChild(600, 64), startChild(600, 64)]);
    const meter = cpuMeter({
      busy: (table) => processTree(table, busy.pid!),
      idle: (table) => processTree(table, idle.pid!),
    });
    busy.stdin!.write('go\n');
    await new Promise((resolve) => busy.stdout!.once('data', resolve));
    const { seconds, minorFaultsK } = meter.stop();
    expect(seconds.busy).toBeGreaterThanOrEqual(0.55);
    expect(seconds.idle).toBeLessThan(0.1);
    // 64 MB of fresh memory is 16,384 pages of 4 KB, each first touched there.
    expect(minorFaultsK.busy).toBeGreaterThanOrEqual(16);
    expect(minorFaultsK.idle).toBeLessThan(1);
  });
});
