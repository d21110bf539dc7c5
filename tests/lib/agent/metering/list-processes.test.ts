// The metering agent's look at the running processes: on a /proc folder made by the test (pid
// reuse, exec, zombies, another user's process) and on the machine's own /proc with real processes.
import { spawn } from 'node:child_process';
import { mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../support/temp-dir';
import { ProcessTable, parseCommandName, parseParentPid, parseStartTick } from '@/lib/agent/metering/list-processes';

const tempDir = useTempDir('sitebox-list-processes-');

interface FakeProcess {
  pid: number;
  startTick: number;
  command: string;
  parentPid?: number;
  uid?: number;
  state?: string;
  /** The exe link's target; none: a process this user may not look into. */
  exe?: string;
  commandLine?: string[];
}

/** Writes one process's stat, status, comm, cmdline and exe link as the kernel shows them. */
async function writeProcess(proc: string, p: FakeProcess): Promise<void> {
  const folder = path.join(proc, String(p.pid));
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  // Fields 3 to 21 before the start tick (field 22), then a few more.
  const before = [p.state ?? 'S', String(p.parentPid ?? 1), ...Array.from({ length: 17 }, (_, i) => String(i + 2))];
  await writeFile(path.join(folder, 'stat'), `${p.pid} (${p.command}) ${before.join(' ')} ${p.startTick} 1000 200 0\n`);
  await writeFile(path.join(folder, 'status'), `Name:\t${p.command}\nUid:\t${p.uid ?? 0}\t${p.uid ?? 0}\t${p.uid ?? 0}\t${p.uid ?? 0}\n`);
  await writeFile(path.join(folder, 'comm'), `${p.command}\n`);
  await writeFile(path.join(folder, 'cmdline'), (p.commandLine ?? []).map((word) => `${word}\0`).join(''));
  if (p.exe) await symlink(p.exe, path.join(folder, 'exe'));
}

const summary = (processes: { pid: number; startTick: number; uid: number; filePath: string }[]) =>
  processes.map((p) => [p.pid, p.startTick, p.uid, p.filePath]).sort((a, b) => Number(a[0]) - Number(b[0]));

describe('the stat line', () => {
  it('reads the start tick, the parent and the command name, whatever the name holds', () => {
    const stat = '4242 (my (odd) 7 prog) S 17 4242 4242 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 98765 1000 200\n';
    expect(parseStartTick(stat)).toBe(98765);
    expect(parseParentPid(stat)).toBe(17);
    expect(parseCommandName(stat)).toBe('my (odd) 7 prog');
  });
});

describe('ProcessTable on a /proc folder', () => {
  it('names each process by its executable, else its command line, else its command name, and leaves out zombies', async () => {
    const proc = path.join(tempDir(), 'names');
    await writeProcess(proc, { pid: 10, startTick: 500, command: 'editor', uid: 1000, exe: '/usr/bin/editor' });
    await writeProcess(proc, { pid: 11, startTick: 600, command: 'editor', uid: 1001, exe: '/opt/editor/editor (deleted)' });
    await writeProcess(proc, { pid: 12, startTick: 700, command: 'python3', uid: 1002, commandLine: ['/usr/bin/python3', 'x.py'] });
    await writeProcess(proc, { pid: 13, startTick: 800, command: 'worker', uid: 1003, commandLine: ['worker: idle'] });
    await writeProcess(proc, { pid: 14, startTick: 900, command: 'editor', uid: 1000, state: 'Z' });
    await mkdir(path.join(proc, 'self'), { recursive: true });
    expect(summary(await new ProcessTable(proc).list())).toEqual([
      [10, 500, 1000, '/usr/bin/editor'],
      [11, 600, 1001, '/opt/editor/editor'],
      [12, 700, 1002, '/usr/bin/python3'],
      [13, 800, 1003, 'worker'],
    ]);
  });

  it('reads a process again when its pid is reused or it runs another program, and drops it when gone', async () => {
    const proc = path.join(tempDir(), 'changes');
    await writeProcess(proc, { pid: 20, startTick: 100, command: 'sh', exe: '/usr/bin/dash' });
    await writeProcess(proc, { pid: 21, startTick: 200, command: 'sleep', exe: '/usr/bin/sleep' });
    await writeProcess(proc, { pid: 22, startTick: 300, command: 'editor', uid: 1000, exe: '/usr/bin/editor' });
    const table = new ProcessTable(proc);
    expect(summary(await table.list())).toEqual([
      [20, 100, 0, '/usr/bin/dash'],
      [21, 200, 0, '/usr/bin/sleep'],
      [22, 300, 1000, '/usr/bin/editor'],
    ]);
    // 20 execs another program (same pid and start tick); 21 ends and its pid is taken by a new process.
    await writeProcess(proc, { pid: 20, startTick: 100, command: 'editor', uid: 1000, exe: '/usr/bin/editor' });
    await writeProcess(proc, { pid: 21, startTick: 250, command: 'sleep', uid: 1001, exe: '/usr/bin/sleep' });
    // 22 is unchanged: what was read of it holds, even with its status no longer there to read;
    // only its parent, which its stat line gives, is new (its own ended, and init took it).
    await writeProcess(proc, { pid: 22, startTick: 300, command: 'editor', parentPid: 20, uid: 1000, exe: '/usr/bin/editor' });
    expect((await table.list()).find((p) => p.pid === 22)?.parentPid).toBe(20);
    await writeProcess(proc, { pid: 22, startTick: 300, command: 'editor', parentPid: 1, uid: 1000, exe: '/usr/bin/editor' });
    await unlink(path.join(proc, '22', 'status'));
    expect(summary(await table.list())).toEqual([
      [20, 100, 1000, '/usr/bin/editor'],
      [21, 250, 1001, '/usr/bin/sleep'],
      [22, 300, 1000, '/usr/bin/editor'],
    ]);
    await rm(path.join(proc, '21'), { recursive: true });
    expect(summary(await table.list()).map(([pid]) => pid)).toEqual([20, 22]);
    // A fresh table must read 22 whole, and it cannot now.
    expect(summary(await new ProcessTable(proc).list()).map(([pid]) => pid)).toEqual([20]);
  });
});

describe('ProcessTable on this machine', () => {
  it('sees a real process, follows it through an exec, and loses it when it ends', async () => {
    const table = new ProcessTable();
    // A shell that waits, then becomes sleep: same pid and start tick, another program.
    const child = spawn('/bin/sh', ['-c', 'read line; exec /bin/sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const pid = child.pid!;
      const shell = (await table.list()).find((p) => p.pid === pid);
      expect(shell?.filePath).toMatch(/\/(dash|bash|sh)$/);
      expect(shell?.uid).toBe(process.getuid!());
      expect(shell?.parentPid).toBe(process.pid);
      child.stdin!.end('go\n');
      let after = shell;
      for (let i = 0; i < 100 && after?.filePath === shell?.filePath; i++) {
        await sleep(50);
        after = (await table.list()).find((p) => p.pid === pid);
      }
      expect(after?.filePath).toMatch(/\/sleep$/);
      expect(after?.startTick).toBe(shell?.startTick);
      child.kill('SIGTERM');
      await exited;
      expect((await table.list()).some((p) => p.pid === pid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
