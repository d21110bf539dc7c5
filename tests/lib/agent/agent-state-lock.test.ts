// One agent per state folder: a second agent started on a folder in use refuses to start (it
// would run every pushed action again), and a lock left by a killed agent is taken over.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockStateFolder, STATE_LOCK_FILE, StateFolderInUse } from '@/lib/agent/lock-state-folder';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { ensureSite, repoRoot, startConfiguredAgent, type AgentProcess } from './agent-process';

let mp: TestManagementPoint;
let dir = '';
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await ensureSite();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-state-lock-'));
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the agent from the sources on `config` until it exits; its exit code and output. */
function runUntilExit(config: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/agent.ts'), 'run', '--config', config], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => child.once('exit', (code) => (clearTimeout(killer), resolve({ code, output }))));
}

describe('the state folder lock', () => {
  it('refuses a second agent on a state folder in use, and takes over the lock of an agent that was killed', async () => {
    const first = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'lock-a', agents });
    const config = path.join(dir, 'lock-a.json');
    const second = await runUntilExit(config);
    expect(second.code).toBe(1);
    expect(second.output).toMatch(/the state folder .*lock-a is in use by another agent \(process \d+\)/);
    // The first still holds the folder.
    const lock = path.join(dir, 'state', 'lock-a', STATE_LOCK_FILE);
    expect(JSON.parse(await readFile(lock, 'utf8'))).toMatchObject({ pid: expect.any(Number) });

    await first.agent.kill();
    const again = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'lock-a', agents });
    expect(again.deviceId).toBe(first.deviceId);
  }, 60_000);

  it('takes over a torn lock file, or one naming a process id now used by another program', async () => {
    const folder = await mkdtemp(path.join(dir, 'folder-'));
    await writeFile(path.join(folder, STATE_LOCK_FILE), '{"pid":');
    const held = await lockStateFolder(folder);
    await expect(lockStateFolder(folder)).rejects.toBeInstanceOf(StateFolderInUse);
    await held.release();
    // pid 1 runs, but it is not the process that wrote the lock (its start tick differs).
    await writeFile(path.join(folder, STATE_LOCK_FILE), JSON.stringify({ pid: 1, startTick: -1, bootId: 'x' }));
    await (await lockStateFolder(folder)).release();
  });
});
