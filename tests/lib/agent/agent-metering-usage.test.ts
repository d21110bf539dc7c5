// Software metering usage from real agent processes: a real program started by the test (a copy
// of sleep under a name a rule meters) is seen in /proc, its run spooled and uploaded to a real
// management point into metering_usage; a run in progress survives an agent killed with SIGKILL,
// closed at its last sighting when the program ended meanwhile, continued when it still runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { insertMeteringRules } from '@/lib/metering/repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { agentFromSources, type AgentProcess } from './agent-process';

const program = `sbxmeter${randomBytes(3).toString('hex')}`;
let mp: TestManagementPoint;
let dir = '';
let programPath = '';
const ruleIds: Record<'byName' | 'byPath' | 'otherVersion' | 'sleepVersion', number> = { byName: 0, byPath: 0, otherVersion: 0, sleepVersion: 0 };
/** The version dpkg gives the package owning /bin/sleep (coreutils): a rule asking for it meters sleep. */
const coreutils = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'coreutils'], { encoding: 'utf8' }).stdout ?? '';
const agents: AgentProcess[] = [];
const programs: ChildProcess[] = [];

interface StoredRun {
  rule_id: number;
  device_id: number;
  started_at: Date;
  ended_at: Date;
  user_name: string;
  process_id: number;
  file_path: string;
  end_estimated: boolean;
}
const runsOf = async (pid: number) =>
  (await pool().query<StoredRun & { file_version: string }>(`SELECT * FROM metering_usage WHERE process_id = $1 ORDER BY rule_id`, [pid])).rows;

/** Starts the metered program for `seconds`; resolves once it runs, with when it started. */
function startProgram(seconds: number, file = programPath) {
  const child = spawn(file, [String(seconds)], { stdio: 'ignore' });
  programs.push(child);
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(Date.now())));
  return { child, pid: child.pid!, startedAt: Date.now(), exited };
}

function startAgent(name: string) {
  const agent = agentFromSources(['run', '--mp', mp.url, '--name', name, '--state', path.join(dir, name)]);
  agents.push(agent);
  return agent;
}

/** The runs in progress the agent `name` keeps on disk (none before its first look at the processes). */
async function runsInProgress(name: string): Promise<{ pid: number; lastSeenAt: string }[]> {
  try {
    return JSON.parse(await readFile(path.join(dir, name, 'metering', 'runs-in-progress.json'), 'utf8')).runs;
  } catch {
    return [];
  }
}
/** Whether the agent `name` has looked at the processes once (its runs-in-progress file exists). */
const hasLooked = async (name: string) =>
  (await readdir(path.join(dir, name, 'metering')).catch(() => [] as string[])).includes('runs-in-progress.json');
const deviceIdOf = async (name: string) => (await pool().query<{ id: number }>(`SELECT id FROM device WHERE name = $1`, [name])).rows[0]?.id;
const spooled = async (name: string) => readdir(path.join(dir, name, 'metering', 'usage-spool')).catch(() => [] as string[]);
/** Runs of process `pid` in the spool of agent `name` (a spool file is named by the run's usage key: boot, pid, tick, rule). */
const spooledFor = async (name: string, pid: number) => (await spooled(name)).filter((file) => file.includes(`_${pid}_`)).length;

/** Waits for `check` to hold, failing with the agent's output. */
async function until(agent: AgentProcess, what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen\nagent output:\n${agent.output().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await seedDemoSite({ devices: 0 });
  // The shortest look interval the site allows; upload every minute (the tests see uploads at stop).
  await pool().query(
    `UPDATE site_control SET document = jsonb_set(document, '{clientAgent,meteringAgent}',
       '{"processPollSeconds": 5, "uploadMinutes": 1, "acknowledgements": "per-policy"}'::jsonb), serial = serial + 1`,
  );
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-metering-usage-'));
  const base = { productName: 'Sleep copy', originalFileName: '', siteCode: 'S01', comment: '', enabled: true };
  const rules = {
    byName: { ...base, fileName: program, version: '*' },
    byPath: { ...base, fileName: `${dir}/b?n/*meter*`, version: '*' },
    // No package owns the copy: a rule asking for a version does not meter it.
    otherVersion: { ...base, fileName: program, version: '9.9.*' },
    sleepVersion: { ...base, productName: 'Sleep', fileName: 'sleep', version: coreutils ? `${coreutils.split('-')[0]}*` : '0.0-none' },
  };
  await insertMeteringRules(pool(), Object.values(rules));
  const { rows } = await pool().query<{ id: number; file_name: string; version: string }>(`SELECT id, file_name, version FROM metering_rule`);
  for (const [key, rule] of Object.entries(rules))
    ruleIds[key as keyof typeof ruleIds] = rows.find((r) => r.file_name === rule.fileName && r.version === rule.version)!.id;
  await mkdir(path.join(dir, 'bin'));
  programPath = path.join(dir, 'bin', program);
  await copyFile('/bin/sleep', programPath);
  await chmod(programPath, 0o755);
}, 60_000);
afterEach(async () => {
  for (const child of programs.splice(0)) child.kill('SIGKILL');
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('software metering usage from real agents', () => {
  it('records a run of a metered program with its start, end, user, process and path, uploaded when the agent stops', async () => {
    const agent = startAgent('MTU-01');
    await until(agent, 'the first look at the processes', () => hasLooked('MTU-01'));
    const run = startProgram(7);
    const sleep = startProgram(7, '/bin/sleep');
    await until(agent, 'the run seen', async () => (await runsInProgress('MTU-01')).some((r) => r.pid === run.pid));
    const exitedAt = await run.exited;
    await sleep.exited;
    await until(
      agent,
      'the runs finished and spooled',
      async () => (await spooledFor('MTU-01', run.pid)) === 2 && (await spooledFor('MTU-01', sleep.pid)) === (coreutils ? 1 : 0),
    );
    await agent.stop();

    // The copy: by its name and by its path, not by the rule asking for a version no package gives it.
    const rows = await runsOf(run.pid);
    expect(rows.map((r) => [r.rule_id, r.user_name, r.file_path, r.file_version, r.end_estimated])).toEqual([
      [ruleIds.byName, os.userInfo().username, programPath, '', false],
      [ruleIds.byPath, os.userInfo().username, programPath, '', false],
    ]);
    // The system's sleep: by the version of the package that installed it.
    expect((await runsOf(sleep.pid)).map((r) => [r.rule_id, r.file_version])).toEqual(coreutils ? [[ruleIds.sleepVersion, coreutils]] : []);
    const [stored] = rows;
    expect(stored.device_id).toBe(await deviceIdOf('MTU-01'));
    // The start comes from /proc (boot time + start tick: to the second); the end is halfway between
    // the last look that saw it and the one that found it gone: within half the 5 s interval of the exit.
    expect(Math.abs(stored.started_at.getTime() - run.startedAt)).toBeLessThan(1_500);
    expect(Math.abs(stored.ended_at.getTime() - exitedAt)).toBeLessThan(2_500 + 1_000);
    expect(await spooledFor('MTU-01', run.pid)).toBe(0);
  }, 90_000);

  it('closes a run whose program ended while the agent was down at its last sighting, once, marked estimated', async () => {
    const run = startProgram(120);
    const first = startAgent('MTU-02');
    await until(first, 'the run seen', async () => (await runsInProgress('MTU-02')).some((r) => r.pid === run.pid));
    const lastSeen = (await runsInProgress('MTU-02')).find((r) => r.pid === run.pid)!.lastSeenAt;
    await first.kill();
    run.child.kill('SIGKILL');
    await run.exited;

    const second = startAgent('MTU-02');
    await until(second, 'the run closed and spooled', async () => (await spooledFor('MTU-02', run.pid)) === 2);
    await second.stop();
    const rows = await runsOf(run.pid);
    expect(rows.map((r) => [r.rule_id, r.end_estimated])).toEqual([
      [ruleIds.byName, true],
      [ruleIds.byPath, true],
    ]);
    // Closed at the last time the killed agent saw it alive (or a later look before it was killed).
    expect(rows[0].ended_at.getTime()).toBeGreaterThanOrEqual(new Date(lastSeen).getTime());
    expect(rows[0].ended_at.getTime()).toBeLessThan(Date.now());
    expect(Math.abs(rows[0].started_at.getTime() - run.startedAt)).toBeLessThan(1_500);
  }, 90_000);

  it('continues a run whose program still runs when the agent comes back, counted once', async () => {
    const run = startProgram(120);
    const first = startAgent('MTU-03');
    await until(first, 'the run seen', async () => (await runsInProgress('MTU-03')).some((r) => r.pid === run.pid));
    await first.kill();
    const killedAt = Date.now();

    const second = startAgent('MTU-03');
    await until(second, 'the run seen again', async () =>
      (await runsInProgress('MTU-03')).some((r) => r.pid === run.pid && new Date(r.lastSeenAt).getTime() > killedAt),
    );
    run.child.kill('SIGKILL');
    const exitedAt = await run.exited;
    await until(second, 'the run finished and spooled', async () => (await spooledFor('MTU-03', run.pid)) === 2);
    await second.stop();
    const rows = await runsOf(run.pid);
    expect(rows.map((r) => [r.rule_id, r.end_estimated])).toEqual([
      [ruleIds.byName, false],
      [ruleIds.byPath, false],
    ]);
    expect(Math.abs(rows[0].started_at.getTime() - run.startedAt)).toBeLessThan(1_500);
    expect(Math.abs(rows[0].ended_at.getTime() - exitedAt)).toBeLessThan(2_500 + 1_000);
  }, 90_000);
  it('uploads a run once when the agent is killed while the management point stores it: sent again, it is not stored twice', async () => {
    const first = startAgent('MTU-04');
    await until(first, 'the first look at the processes', () => hasLooked('MTU-04'));
    const run = startProgram(6);
    await until(first, 'the run seen', async () => (await runsInProgress('MTU-04')).some((r) => r.pid === run.pid));
    await run.exited;
    await until(first, 'the run finished and spooled', async () => (await spooledFor('MTU-04', run.pid)) === 2);
    await first.kill();
    // The management point's insert waits on the table held here, the agent's request with it.
    const held = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await held.connect();
    try {
      await held.query(`BEGIN`);
      await held.query(`LOCK TABLE metering_usage IN ACCESS EXCLUSIVE MODE`);
      // At start the agent uploads what an earlier run left.
      const second = startAgent('MTU-04');
      await until(second, 'the upload storing', async () => {
        const { rows } = await pool().query(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO metering_usage%'`,
        );
        return rows.length > 0;
      });
      await second.kill();
    } finally {
      await held.query(`ROLLBACK`);
      await held.end();
    }
    // Stored, though the agent never heard so: its files are still in the spool.
    await until(first, 'the runs stored', async () => (await runsOf(run.pid)).length === 2);
    expect(await spooledFor('MTU-04', run.pid)).toBe(2);

    const third = startAgent('MTU-04');
    await until(third, 'the spool sent again and emptied', async () => (await spooledFor('MTU-04', run.pid)) === 0);
    await third.stop();
    expect((await runsOf(run.pid)).map((r) => [r.rule_id, r.end_estimated])).toEqual([
      [ruleIds.byName, false],
      [ruleIds.byPath, false],
    ]);
    // Nothing torn or left half-written in the spool folder.
    expect((await spooled('MTU-04')).filter((file) => file.includes(`_${run.pid}_`))).toEqual([]);
  }, 90_000);
});
