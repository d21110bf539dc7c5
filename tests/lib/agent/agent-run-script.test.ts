// Run Script on real agent processes: approved text fetched by hash and verified, parameters that
// reach the script verbatim, timeout, output cap, offline clients within the validity, grouping.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { listScriptOutputGroups, scriptResultsCsv } from '@/lib/notification/script-results';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { approveScriptText } from '@/lib/scripts/approve-script-text';
import { createScript } from '@/lib/scripts/create-script';
import { editScript } from '@/lib/scripts/edit-script';
import type { ScriptInput } from '@/lib/scripts/script.schema';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { admin, eventually } from '../notification/fleet';
import { ensureSite, startConfiguredAgent, type AgentProcess } from './agent-process';

const approver = { principal: { userId: 2, userName: 'approver', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.2' };
let mp: TestManagementPoint;
let dir = '';
const agents: AgentProcess[] = [];
const deviceIds: number[] = [];

async function approvedScript(input: Partial<ScriptInput> & { name: string; body: string }) {
  const created = await createScript({ actor: admin, input: { description: '', parameters: [], timeoutSeconds: 60, ...input } });
  return approveScriptText({ actor: approver, id: created.id, contentHash: created.contentHash });
}

const startAgent = async (name: string) => (await startConfiguredAgent({ dir, managementPointUrl: mp.url, name, agents })).deviceId;

const run = (scriptId: number, args: Record<string, string> = {}, validityMinutes = 60) =>
  startClientOperation({
    actor: admin,
    input: { action: 'RUN_SCRIPT', target: { deviceIds }, script: { scriptId, arguments: args } },
    settings: { operationValidityMinutes: validityMinutes },
  });

async function finished(operationId: number, count = deviceIds.length) {
  const page = await eventually(
    () => listOperationTargets(operationId, { page: 1, pageSize: 25 }),
    (p) => p.rows.filter((r) => r.state === 'SUCCEEDED' || r.state === 'FAILED').length >= count,
    30_000,
  );
  return page.rows;
}

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await ensureSite();
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-run-script-'));
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('Run Script on real agents', () => {
  it('runs on devices that were offline, when they connect within the validity, and not after', async () => {
    // Register both agents, then stop them: they are offline when the runs start.
    deviceIds.push(await startAgent('script-a'), await startAgent('script-b'));
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    await eventually(
      () => pool().query(`SELECT count(*)::int AS n FROM device WHERE online`),
      (r) => r.rows[0].n === 0,
      15_000,
    );
    const script = await approvedScript({ name: 'Say hello', body: 'echo hello\n' });
    const valid = await run(script.id);
    const lapsing = await run(script.id, {}, 0.02);
    expect(valid.onlineAtStart).toBe(0);
    await new Promise((r) => setTimeout(r, 1500));
    await startAgent('script-a');
    await startAgent('script-b');
    const rows = await finished(valid.id);
    expect(rows.map((r) => [r.state, r.result?.script?.stdout])).toEqual([
      ['SUCCEEDED', 'hello\n'],
      ['SUCCEEDED', 'hello\n'],
    ]);
    const late = await listOperationTargets(lapsing.id, { page: 1, pageSize: 25 });
    expect(late.rows.map((r) => r.state)).toEqual(['EXPIRED', 'EXPIRED']);
  }, 60_000);

  it('hands parameters with shell metacharacters to the script verbatim, never interpreted', async () => {
    const marker = path.join(dir, 'pwned');
    const value = `$(touch ${marker}); \`touch ${marker}\` && touch ${marker} | "q" 'r' * > ${marker} \\ \n next line`;
    const script = await approvedScript({
      name: 'Echo parameter',
      body: 'printf "[%s]\\n" "$1"\nprintf "<%s>\\n" "$SITEBOX_PARAM_Text"\n',
      parameters: [{ name: 'Text', type: 'string', description: '', required: true }],
    });
    const rows = await finished((await run(script.id, { Text: value })).id);
    for (const r of rows) {
      expect(r.state).toBe('SUCCEEDED');
      expect(r.result?.script?.stdout).toBe(`[${value}]\n<${value}>\n`);
    }
    expect(existsSync(marker)).toBe(false);
  }, 30_000);

  it('kills a script at its timeout, its whole process group, and reports it', async () => {
    const pidFile = path.join(dir, 'sleeper.pid');
    const script = await approvedScript({
      name: 'Sleeps too long',
      body: `sleep 60 &\necho $! > ${pidFile}\necho started\nwait\necho never\n`,
      timeoutSeconds: 1,
    });
    const rows = await finished((await run(script.id)).id);
    for (const r of rows) {
      expect(r.state).toBe('FAILED');
      expect(r.result?.message).toMatch(/Timed out after 1 s/);
      expect(r.result?.script).toMatchObject({ timedOut: true, stdout: 'started\n', exitCode: null, signal: 'SIGKILL' });
      expect(r.result!.durationMs).toBeLessThan(10_000);
    }
    // The background sleep shared the script's process group: it is gone too (once reaped).
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    const alive = () => {
      try {
        process.kill(pid, 0);
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
      } catch {
        return false;
      }
    };
    expect(
      await eventually(
        async () => alive(),
        (a) => !a,
        5000,
      ),
    ).toBe(false);
  }, 30_000);

  it('ends with the script what it left running, in its group or not, and reports the exit code at once', async () => {
    const pids = path.join(dir, 'left-running.pids');
    // One child stays in the script's group, one leaves it (setsid); both hold stdout open.
    const script = await approvedScript({
      name: 'Leaves children',
      body: `sleep 120 &\necho $! >> ${pids}\nsetsid sleep 121 &\nsleep 0.3\npgrep -f '^sleep 121$' -n >> ${pids}\necho parent done\nexit 3\n`,
      timeoutSeconds: 20,
    });
    const operation = await run(script.id);
    const rows = await finished(operation.id);
    for (const r of rows) {
      expect(r.state).toBe('FAILED');
      expect(r.result?.message).toBe('Leaves children exited with code 3; 2 processes it left running were ended.');
      expect(r.result?.script).toMatchObject({ exitCode: 3, timedOut: false, stdout: 'parent done\n' });
      expect(r.result!.durationMs).toBeLessThan(10_000);
    }
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
      } catch {
        return false;
      }
    };
    const left = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
    expect(left).toHaveLength(4);
    expect(
      await eventually(
        async () => left.filter(alive),
        (a) => a.length === 0,
        5000,
      ),
    ).toEqual([]);
  }, 40_000);

  it('cuts output over 64 KB and marks it, and groups identical outputs with device counts', async () => {
    const script = await approvedScript({
      name: 'Too much output',
      body: "head -c 100000 /dev/zero | tr '\\0' a\necho short >&2\nexit 3\n",
    });
    const operation = await run(script.id);
    const rows = await finished(operation.id);
    for (const r of rows) {
      expect(r.state).toBe('FAILED');
      expect(r.result?.script).toMatchObject({ exitCode: 3, stdoutTruncated: true, stderr: 'short\n', stderrTruncated: false });
      expect(r.result?.script?.stdout).toBe('a'.repeat(64 * 1024));
    }
    const { groups } = await listScriptOutputGroups(operation.id);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ devices: 2, exitCode: 3, stdoutTruncated: true, sampleDevices: ['script-a', 'script-b'] });
    const csv = await scriptResultsCsv(operation.id);
    const line = csv.body.split('\r\n')[1];
    expect(/^script-a,FAILED,[^,]+,3,false,a{65536},true,"short\n",false,Too much output exited with code 3\.$/.test(line)).toBe(true);
  }, 30_000);

  it('keeps output holding NUL bytes, or a character cut at the 64 KB limit, with those characters replaced', async () => {
    // A NUL and bytes that are not UTF-8 on stdout; on stderr an emoji (two UTF-16 units) whose
    // second half falls past the limit. The site stores neither a NUL nor half a pair.
    const script = await approvedScript({
      name: 'Unstorable output',
      body: "printf 'a\\000b\\377c\\n'\nhead -c 65535 /dev/zero | tr '\\0' e >&2\nprintf '\\360\\237\\230\\200' >&2\n",
    });
    const rows = await finished((await run(script.id)).id);
    for (const r of rows) {
      expect(r.state).toBe('SUCCEEDED');
      expect(r.result?.script).toMatchObject({ stdout: 'a\uFFFDb\uFFFDc\n', stdoutTruncated: false, stderrTruncated: true });
      expect(r.result?.script?.stderr).toBe(`${'e'.repeat(65535)}\uFFFD`);
    }
  }, 30_000);

  it('refuses tampered text, and unapproved or edited scripts never start', async () => {
    const marker = path.join(dir, 'tampered-ran');
    const script = await approvedScript({ name: 'Tamper target', body: 'echo original\n' });
    // Someone changes the text behind the approval: the hash the push names no longer matches it.
    await pool().query(`UPDATE script SET body = $2 WHERE id = $1`, [script.id, `touch ${marker}\necho tampered\n`]);
    const rows = await finished((await run(script.id)).id);
    for (const r of rows) {
      expect(r.state).toBe('FAILED');
      expect(r.result?.message).toMatch(/does not match the approved content hash/);
    }
    expect(existsSync(marker)).toBe(false);

    const edited = await editScript({
      actor: admin,
      id: script.id,
      input: { name: 'Tamper target', description: '', body: 'echo new\n', parameters: [], timeoutSeconds: 60 },
    });
    expect(edited.approval).toBeNull();
    await expect(run(script.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const unapproved = await createScript({
      actor: admin,
      input: { name: 'Never approved', description: '', body: 'echo x\n', parameters: [], timeoutSeconds: 5 },
    });
    await expect(run(unapproved.id)).rejects.toMatchObject({ code: 'CONFLICT' });
    const typed = await approvedScript({
      name: 'Typed',
      body: 'echo "$1"\n',
      parameters: [{ name: 'Days', type: 'integer', description: '', required: true, max: 9 }],
    });
    await expect(run(typed.id, { Days: '10' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      details: { fields: [{ path: 'script.arguments.Days' }] },
    });
  }, 30_000);

  it('reports a script under way when its agent was killed as failed after the restart, and never runs it twice', async () => {
    // The site holds the target Delivered once the push arrived and never pushes it again, so
    // without the agent's own record of the push the target stayed Delivered to the run's end.
    const runs = path.join(dir, 'killed-runs');
    const script = await approvedScript({ name: 'Killed mid-run', body: `echo $$ >> ${runs}\nsleep 30\n` });
    const first = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'script-killed', agents });
    const operation = await startClientOperation({
      actor: admin,
      input: { action: 'RUN_SCRIPT', target: { deviceIds: [first.deviceId] }, script: { scriptId: script.id, arguments: {} } },
      settings: { operationValidityMinutes: 60 },
    });
    const started = await eventually(
      () => readFile(runs, 'utf8').catch(() => ''),
      (text) => text.length > 0,
      15_000,
    );
    await eventually(
      () => listOperationTargets(operation.id, { page: 1, pageSize: 25 }),
      (p) => p.rows[0]?.state === 'DELIVERED',
    );
    await first.agent.kill();
    // The script's shell outlives the killed agent: end its process group now.
    process.kill(-Number(started.trim()), 'SIGKILL');

    await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'script-killed', agents });
    const [target] = await finished(operation.id, 1);
    expect(target.state).toBe('FAILED');
    expect(target.result?.message).toMatch(/stopped while the script ran .* a script is not run twice/);
    expect((await readFile(runs, 'utf8')).trim().split('\n')).toHaveLength(1);
  }, 60_000);
});
