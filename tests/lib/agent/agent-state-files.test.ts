// State files an earlier run left that cannot be read (torn, garbage): the agent says so in its log,
// sets aside a kept result it cannot send, and carries on as from a fresh state.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertMeteringRules } from '@/lib/metering/repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { TestManagementPoint } from '../notification/management-point';
import { eventually } from '../notification/fleet';
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
  await insertMeteringRules([
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
