// The run bookkeeping of the metering agent, on a stand-in machine: runs opened and finished as
// processes come and go, and what a restarted agent does with the runs its state file holds.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from '../../../support/temp-dir';
import type { ProcessInfo } from '@/lib/agent/metering/list-processes';
import { MeteringUsageTracker, type MachineView } from '@/lib/agent/metering/usage-tracker';
import type { MeteringPolicyRule } from '@/lib/protocol/metering-policy.schema';

const rules: MeteringPolicyRule[] = [
  { ruleId: 5, ruleName: 'S0100005', productName: 'Editor', fileName: 'editor', originalFileName: '', version: '*', revision: '1' },
];
const BOOT = Date.parse('2026-12-03T00:00:00.000Z');

function machine(bootId: string, processes: ProcessInfo[]): MachineView {
  return {
    bootId,
    bootTimeMs: BOOT,
    listProcesses: async () => processes,
    userName: async (uid) => (uid === 1000 ? 'alice' : String(uid)),
    versionOf: async () => null,
  };
}
/** The usage spool, for tests that read what poll() resolves to. */
const spool = async () => {};
const editor = (pid: number, startTick: number): ProcessInfo => ({ pid, startTick, parentPid: 1, uid: 1000, filePath: '/usr/bin/editor' });

const tempDir = useTempDir('sitebox-usage-tracker-');

describe('MeteringUsageTracker', () => {
  it('opens a run per matched process and ends it halfway between the look that last saw it and the one that finds it gone', async () => {
    const stateFile = path.join(tempDir(), 'a.json');
    const processes = [editor(10, 6000), { pid: 11, startTick: 100, parentPid: 1, uid: 0, filePath: '/usr/sbin/cron' }];
    let now = new Date(BOOT + 120_000);
    const tracker = new MeteringUsageTracker({ stateFile, spool, machine: machine('boot-1', processes), now: () => now });
    tracker.setRules(rules);
    expect(await tracker.poll()).toEqual([]);
    expect(tracker.openRuns).toBe(1);
    now = new Date(BOOT + 150_000);
    processes.splice(0, 1);
    expect(await tracker.poll()).toEqual([
      {
        ruleId: 5,
        usageKey: 'boot-1:10:6000:5',
        // 6000 ticks at 100 a second after boot.
        startedAt: '2026-12-03T00:01:00.000Z',
        endedAt: '2026-12-03T00:02:15.000Z',
        userName: 'alice',
        processId: 10,
        filePath: '/usr/bin/editor',
        fileVersion: '',
        endEstimated: false,
      },
    ]);
  });

  it('after a restart continues a run whose process runs on, and closes one whose pid now names another process', async () => {
    const stateFile = path.join(tempDir(), 'b.json');
    const before = new MeteringUsageTracker({
      stateFile,
      spool,
      machine: machine('boot-1', [editor(20, 100), editor(21, 200)]),
      now: () => new Date(BOOT + 60_000),
    });
    before.setRules(rules);
    await before.poll();
    // Restarted: pid 20 is the same process; pid 21 was reused by a new one (another start tick).
    const after = new MeteringUsageTracker({
      stateFile,
      spool,
      machine: machine('boot-1', [editor(20, 100), editor(21, 9000)]),
      now: () => new Date(BOOT + 120_000),
    });
    after.setRules(rules);
    const closed = await after.poll();
    expect(closed.map((r) => [r.usageKey, r.endedAt, r.endEstimated])).toEqual([['boot-1:21:200:5', '2026-12-03T00:01:00.000Z', true]]);
    expect(after.openRuns).toBe(2);
  });

  it('closes at their last sighting, estimated, the runs of a previous boot', async () => {
    const stateFile = path.join(tempDir(), 'c.json');
    const before = new MeteringUsageTracker({ stateFile, spool, machine: machine('boot-1', [editor(30, 100)]), now: () => new Date(BOOT + 60_000) });
    before.setRules(rules);
    await before.poll();
    const rebooted = new MeteringUsageTracker({
      stateFile,
      spool,
      machine: machine('boot-2', [editor(30, 100)]),
      now: () => new Date(BOOT + 3_600_000),
    });
    rebooted.setRules(rules);
    const closed = await rebooted.poll();
    expect(closed.map((r) => [r.usageKey, r.endedAt, r.endEstimated])).toEqual([['boot-1:30:100:5', '2026-12-03T00:01:00.000Z', true]]);
    // The process of the same pid and tick in the new boot is a new run.
    expect(rebooted.openRuns).toBe(1);
    expect((await rebooted.finishAll()).map((r) => r.usageKey)).toEqual(['boot-2:30:100:5']);
  });

  it('meters a process from the moment it runs a metered program, and ends the run when it runs another', async () => {
    const stateFile = path.join(tempDir(), 'd.json');
    let now = new Date(BOOT + 60_000);
    const shell = { pid: 40, startTick: 1000, parentPid: 1, uid: 1000, filePath: '/usr/bin/dash' };
    const processes: ProcessInfo[] = [shell];
    const tracker = new MeteringUsageTracker({ stateFile, spool, machine: machine('boot-1', processes), now: () => now });
    tracker.setRules(rules);
    await tracker.poll();
    expect(tracker.openRuns).toBe(0);
    // The shell execs the editor: the same pid and start tick, now a metered program.
    processes[0] = { ...shell, filePath: '/usr/bin/editor' };
    now = new Date(BOOT + 65_000);
    expect(await tracker.poll()).toEqual([]);
    expect(tracker.openRuns).toBe(1);
    // And the editor execs something else: its run ends there.
    processes[0] = { ...shell, filePath: '/usr/bin/less' };
    now = new Date(BOOT + 70_000);
    expect((await tracker.poll()).map((r) => [r.usageKey, r.startedAt, r.endedAt, r.endEstimated])).toEqual([
      ['boot-1:40:1000:5', '2026-12-03T00:00:10.000Z', '2026-12-03T00:01:07.500Z', false],
    ]);
    expect(tracker.openRuns).toBe(0);
  });

  it('writes a run that goes on at most every 30 s, and at once when a stopping agent asks', async () => {
    const stateFile = path.join(tempDir(), 'e.json');
    const saved = async () => JSON.parse(await readFile(stateFile, 'utf8')).runs.map((r: { lastSeenAt: string }) => r.lastSeenAt);
    let now = new Date(BOOT + 60_000);
    const tracker = new MeteringUsageTracker({ stateFile, spool, machine: machine('boot-1', [editor(50, 100)]), now: () => now });
    tracker.setRules(rules);
    await tracker.poll();
    expect(await saved()).toEqual(['2026-12-03T00:01:00.000Z']);
    now = new Date(BOOT + 85_000);
    await tracker.poll();
    expect(await saved()).toEqual(['2026-12-03T00:01:00.000Z']);
    now = new Date(BOOT + 90_000);
    await tracker.poll();
    expect(await saved()).toEqual(['2026-12-03T00:01:30.000Z']);
    now = new Date(BOOT + 95_000);
    await tracker.poll();
    await tracker.keepSightings();
    expect(await saved()).toEqual(['2026-12-03T00:01:35.000Z']);
  });

  it('spools finished runs while the state file still holds them, and forgets none when spooling fails', async () => {
    const stateFile = path.join(tempDir(), 'f.json');
    const open = async () => JSON.parse(await readFile(stateFile, 'utf8')).runs.map((r: { usageKey: string }) => r.usageKey);
    const processes = [editor(60, 100)];
    let failing = true;
    const seenInFile: string[][] = [];
    const spooled: string[] = [];
    let now = new Date(BOOT + 60_000);
    const tracker = new MeteringUsageTracker({
      stateFile,
      machine: machine('boot-1', processes),
      now: () => now,
      spool: async (runs) => {
        seenInFile.push(await open());
        if (failing) throw new Error('disk full');
        spooled.push(...runs.map((r) => `${r.usageKey} ${r.endedAt}`));
      },
    });
    tracker.setRules(rules);
    await tracker.poll();
    processes.splice(0, 1);
    now = new Date(BOOT + 70_000);
    await expect(tracker.poll()).rejects.toThrow('disk full');
    expect(await open()).toEqual(['boot-1:60:100:5']);
    expect(tracker.openRuns).toBe(1);
    failing = false;
    now = new Date(BOOT + 80_000);
    expect((await tracker.poll()).map((r) => r.usageKey)).toEqual(['boot-1:60:100:5']);
    expect(spooled).toEqual(['boot-1:60:100:5 2026-12-03T00:01:10.000Z']);
    expect(seenInFile).toEqual([['boot-1:60:100:5'], ['boot-1:60:100:5']]);
    expect(await open()).toEqual([]);
    expect(tracker.openRuns).toBe(0);
  });

  it('goes on with a run whose process execs another program the same rule meters', async () => {
    const stateFile = path.join(tempDir(), 'g.json');
    const anyEditor: MeteringPolicyRule[] = [{ ...rules[0], fileName: '/opt/editor/*/editor' }];
    const processes: ProcessInfo[] = [{ pid: 70, startTick: 100, parentPid: 1, uid: 1000, filePath: '/opt/editor/1.0/editor' }];
    let now = new Date(BOOT + 60_000);
    const tracker = new MeteringUsageTracker({ stateFile, spool, machine: machine('boot-1', processes), now: () => now });
    tracker.setRules(anyEditor);
    await tracker.poll();
    processes[0] = { ...processes[0], filePath: '/opt/editor/2.0/editor' };
    now = new Date(BOOT + 70_000);
    expect(await tracker.poll()).toEqual([]);
    now = new Date(BOOT + 80_000);
    expect(await tracker.poll()).toEqual([]);
    expect(tracker.openRuns).toBe(1);
    expect((await tracker.finishAll()).map((r) => [r.usageKey, r.filePath, r.endedAt])).toEqual([
      ['boot-1:70:100:5', '/opt/editor/2.0/editor', '2026-12-03T00:01:20.000Z'],
    ]);
  });

  it("counts a program's own child processes as part of its run, and a new launch as a run of its own", async () => {
    const stateFile = path.join(tempDir(), 'h.json');
    const browser: MeteringPolicyRule = { ...rules[0], ruleId: 6, fileName: 'browser' };
    const helper: MeteringPolicyRule = { ...rules[0], ruleId: 7, fileName: 'helper' };
    const at = (pid: number, parentPid: number, startTick: number, filePath: string): ProcessInfo => ({
      pid,
      startTick,
      parentPid,
      uid: 1000,
      filePath,
    });
    const processes = [
      at(50, 1, 10, '/usr/bin/bash'),
      // A browser launched from the shell, its zygote and two content processes under that.
      at(80, 50, 100, '/opt/browser/browser'),
      at(81, 80, 101, '/opt/browser/browser'),
      at(82, 81, 102, '/opt/browser/browser'),
      at(83, 81, 103, '/opt/browser/browser'),
      // A helper program the browser started: another rule's, so a run of that rule.
      at(84, 80, 104, '/opt/browser/helper'),
      // A second browser the user started from the shell: a run of its own.
      at(90, 50, 200, '/opt/browser/browser'),
    ];
    const tracker = new MeteringUsageTracker({ stateFile, spool, machine: machine('boot-1', processes), now: () => new Date(BOOT + 60_000) });
    tracker.setRules([browser, helper]);
    await tracker.poll();
    const open = async () =>
      JSON.parse(await readFile(stateFile, 'utf8'))
        .runs.map((r: { usageKey: string }) => r.usageKey)
        .sort();
    expect(await open()).toEqual(['boot-1:80:100:6', 'boot-1:84:104:7', 'boot-1:90:200:6']);
    // New content processes later are the browser's as well; a pid whose parent started after it is not its child.
    processes.push(at(85, 82, 300, '/opt/browser/browser'), at(86, 90, 150, '/opt/browser/browser'));
    await tracker.poll();
    expect(await open()).toEqual(['boot-1:80:100:6', 'boot-1:84:104:7', 'boot-1:86:150:6', 'boot-1:90:200:6']);
  });
});
