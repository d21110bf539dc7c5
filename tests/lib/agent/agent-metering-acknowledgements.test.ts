// Software metering rules reach real agent processes through policy, and their acknowledgements go
// through the agent's spooling reporter, the management point's ingest and a real Status Manager
// (with the seeded 10907 filter rule) into status_message: one 10907 per rule and client in
// per-rule mode, one message per policy naming every rule in the default mode.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { insertMeteringRules } from '@/lib/metering/repo';
import { clientMessageIds } from '@/lib/protocol/client-message-ids';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { startTestStatusManager } from '../../support/status-manager-settings';
import { TestManagementPoint } from '../notification/management-point';
import { agentFromSources, type AgentProcess } from './agent-process';

const RULES = 500;
let mp: TestManagementPoint;
let dir = '';
let manager: Awaited<ReturnType<typeof startTestStatusManager>>;
const controller = new AbortController();
const agents: AgentProcess[] = [];

async function setAcknowledgements(mode: 'per-rule' | 'per-policy') {
  await pool().query(
    `UPDATE site_control SET document = jsonb_set(document, '{clientAgent,meteringAgent}', jsonb_build_object('acknowledgements', $1::text)), serial = serial + 1`,
    [mode],
  );
}

const startAgents = (names: string[]) => {
  for (const name of names) agents.push(agentFromSources(['run', '--mp', mp.url, '--name', name, '--state', path.join(dir, name)]));
};

async function stored(messageId: number) {
  const { rows } = await pool().query<{ system_name: string; n: number; names: number }>(
    `SELECT system_name, count(*)::int AS n, count(DISTINCT insertion_strings[1])::int AS names
       FROM status_message WHERE message_id = $1 GROUP BY system_name ORDER BY system_name`,
    [messageId],
  );
  return rows;
}

/** Runs `check`; when it fails, the failure carries the first agent's output. */
async function withAgentOutput(check: () => Promise<unknown>) {
  try {
    await check();
  } catch (error) {
    const inbox = await pool().query(`SELECT origin, count(*) FROM status_inbox GROUP BY 1`);
    const msgs = await pool().query(`SELECT message_id, count(*) FROM status_message GROUP BY 1`);
    throw new Error(`${(error as Error).message}\n${JSON.stringify([inbox.rows, msgs.rows])}\nagent output:\n${agents[0]?.output().slice(-4000)}`);
  }
}

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await seedDemoSite({ devices: 0 });
  await insertMeteringRules(
    pool(),
    Array.from({ length: RULES }, (_, i) => ({
      productName: `Product ${i}`,
      fileName: `program-${i}`,
      originalFileName: '',
      version: '*',
      siteCode: 'S01',
      comment: '',
      enabled: true,
    })),
  );
  await pool().query(`UPDATE metering_rule SET enabled = false WHERE product_name = 'Product 0'`);
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
  manager = await startTestStatusManager(controller.signal);
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-metering-acks-'));
}, 60_000);
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
});
afterAll(async () => {
  controller.abort();
  await manager?.stop();
  await mp?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('software metering rule acknowledgements from real agents', () => {
  it('per-rule mode: every client acknowledges every enabled rule with its own 10907, kept by the seeded filter rule', async () => {
    await setAcknowledgements('per-rule');
    startAgents(['MTR-01', 'MTR-02', 'MTR-03']);
    const expected = ['MTR-01', 'MTR-02', 'MTR-03'].map((system_name) => ({ system_name, n: RULES - 1, names: RULES - 1 }));
    await withAgentOutput(() =>
      expect.poll(() => stored(clientMessageIds.meteringRulesReceived), { timeout: 20_000, interval: 500 }).toEqual(expected),
    );
    // The seeded rule keeps 10907s for one day only.
    const { rows } = await pool().query(`SELECT DISTINCT (expires_at - received_at) AS kept FROM status_message WHERE message_id = $1`, [
      clientMessageIds.meteringRulesReceived,
    ]);
    expect(rows.map((r) => r.kept.days)).toEqual([1]);
    // The disabled rule never reached policy.
    const disabled = await pool().query(`SELECT 1 FROM status_message WHERE insertion_strings[2] = 'program-0'`);
    expect(disabled.rows).toEqual([]);
    expect(await stored(clientMessageIds.meteringPolicyReceived)).toEqual([]);
  }, 60_000);

  it('per-policy mode (the default): one message per client naming every rule', async () => {
    await setAcknowledgements('per-policy');
    startAgents(['MTR-11', 'MTR-12']);
    await withAgentOutput(() =>
      expect
        .poll(() => stored(clientMessageIds.meteringPolicyReceived), { timeout: 20_000, interval: 500 })
        .toEqual(['MTR-11', 'MTR-12'].map((system_name) => ({ system_name, n: 1, names: 1 }))),
    );
    const { rows } = await pool().query<{ strings: string[] }>(`SELECT insertion_strings AS strings FROM status_message WHERE message_id = $1`, [
      clientMessageIds.meteringPolicyReceived,
    ]);
    for (const { strings } of rows) {
      expect(strings[0]).toBe(String(RULES - 1));
      // Rule 1 is disabled: the rest, consecutive, are named as one range.
      expect(strings[1]).toBe('S0100002-S0100500');
    }
    const perRule = await stored(clientMessageIds.meteringRulesReceived);
    expect(perRule.map((r) => r.system_name)).toEqual(['MTR-01', 'MTR-02', 'MTR-03']);
  }, 60_000);
});
