// State files an earlier run left that cannot be read (torn, garbage): the agent says so in its log,
// sets aside a kept result it cannot send, and carries on as from a fresh state.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { insertMeteringRules } from '@/lib/metering/repo';
import { listOperationTargets } from '@/lib/notification/list-client-operations';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { INBOX_MESSAGES } from '../../support/inbox';
import { TestManagementPoint } from '../notification/management-point';
import { admin, eventually } from '../notification/fleet';
import { startConfiguredAgent, type AgentProcess } from './agent-process';

let mp: TestManagementPoint;
let dir = '';
const agents: AgentProcess[] = [];

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await seedDemoSite({ devices: 0 });
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-state-files-'));
  // A rule, so that the agent meters and reads its runs in progress.
  await insertMeteringRules(pool(), [
    { productName: 'Nothing', fileName: 'no-such-program', originalFileName: '', version: '*', siteCode: 'S01', comment: '', enabled: true },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('state files that cannot be read', () => {
  it('are each named in the log, and the agent goes on from a fresh state', async () => {
    const first = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'torn', agents });
    await first.agent.stop();
    const state = path.join(dir, 'state', 'torn');
    await mkdir(path.join(state, 'operation-results'), { recursive: true });
    await writeFile(path.join(state, 'inventory', 'inventory-state.json'), '{"nextVersion": 4, "snaps');
    await mkdir(path.join(state, 'metering'), { recursive: true });
    await writeFile(path.join(state, 'metering', 'runs-in-progress.json'), '\0\0\0\0');
    await writeFile(path.join(state, 'operation-results', '12.json'), '{"operationId": 12, "outcome": "SUCC');

    const again = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'torn', agents });
    const output = await eventually(
      async () => again.agent.output(),
      (o) => /inventory report accepted/.test(o) && /metering runs in progress cannot be read/.test(o),
      30_000,
    );
    expect(output).toMatch(/inventory-state\.json.*the inventory state file cannot be read; starting afresh, the next report is full/);
    expect(output).toMatch(/runs-in-progress\.json.*the metering runs in progress cannot be read/);
    expect(output).toMatch(/operation-results\/12\.json.*a kept action or result cannot be read; set aside/);
    expect(output).toMatch(/"kind":"full".*inventory report accepted/);
    expect(await readdir(path.join(state, 'operation-results'))).toEqual(['12.json.unreadable']);
  }, 60_000);
});

describe('a state folder deleted under the running agent', () => {
  it('still spools status messages and inventory, and keeps the credential for the next start', async () => {
    const { agent, deviceId } = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'wiped', agents });
    await eventually(
      async () => agent.output(),
      (o) => /inventory report accepted/.test(o),
      30_000,
    );
    const state = path.join(dir, 'state', 'wiped');
    await rm(state, { recursive: true, force: true });
    const operation = await startClientOperation({
      actor: admin,
      input: { action: 'HARDWARE_INVENTORY_CYCLE', target: { deviceIds: [deviceId] } },
      settings: { operationValidityMinutes: 60 },
    });
    const done = await eventually(
      () => listOperationTargets(operation.id, { page: 1, pageSize: 5 }),
      (p) => p.rows[0]?.state === 'SUCCEEDED' || p.rows[0]?.state === 'FAILED',
      30_000,
    );
    expect(done.rows[0]).toMatchObject({ state: 'SUCCEEDED', result: { message: expect.stringMatching(/^Hardware inventory sent/) } });
    // Its status message (10950) was spooled and reached the site.
    await eventually(
      async () =>
        (
          await pool().query(
            `SELECT count(*)::int AS n FROM status_inbox, json_array_elements(${INBOX_MESSAGES}) AS m
              WHERE (m->>'messageId')::int = 10950 AND m->>'systemName' = 'wiped'`,
          )
        ).rows[0].n,
      (n) => n === 1,
      30_000,
    );
    expect(agent.output()).not.toMatch(/ENOENT/);

    await agent.stop();
    expect(agent.output()).toMatch(/the credential had gone from the state folder; written again/);
    const again = await startConfiguredAgent({ dir, managementPointUrl: mp.url, name: 'wiped', agents });
    expect(again.deviceId).toBe(deviceId);
    expect(again.agent.output()).not.toMatch(/registered/);
  }, 90_000);
});
