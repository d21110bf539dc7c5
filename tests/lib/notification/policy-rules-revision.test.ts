// Policy leaves out the software metering rules a client holds already: the agent names the
// revision of its rules with each policy request, over the channel or the policy endpoint, and
// an unchanged set is not sent again (500 rules are some 75 KB a client and policy cycle).
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import { pool } from '@/lib/db/pool';
import { insertMeteringRules } from '@/lib/metering/repo';
import { agentEvents, type PayloadRefusal } from '@/lib/protocol/agent-protocol.schema';
import type { AgentCredential } from '@/lib/protocol/policy.schema';
import { readPolicyAnswer } from '@/lib/protocol/read-policy-answer';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../../support/database';
import { fleet } from './fleet';
import { TestManagementPoint } from './management-point';

let mp: TestManagementPoint;
const agents: ClientAgent[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  const { url } = await useTestDatabase();
  await seedDemoSite({ devices: 0 });
  await insertMeteringRules(
    pool(),
    ['P1', 'P2', 'P3'].map((productName) => ({
      productName,
      fileName: `${productName.toLowerCase()}.exe`,
      originalFileName: '',
      version: '*',
      siteCode: 'S01',
      comment: '',
      enabled: true,
    })),
  );
  mp = new TestManagementPoint({ connectionString: url });
  await mp.start();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(agents.map((a) => a.stop()));
  await mp?.stop();
});

const authorization = (c: AgentCredential) => `Device ${c.deviceId}.${c.secret}`;

describe('metering rules in policy, by revision', () => {
  it('an agent names the rules it holds, gets them left out while current, and the new set once one changes', async () => {
    const { credentials } = await fleet('REV-', 1);
    const agent = new ClientAgent({
      managementPointUrls: [mp.url],
      credential: credentials[0],
      pollPolicy: false,
      scanner: syntheticScanner({ quickScanMs: 50, fullScanMs: 100 }),
    });
    agents.push(agent);
    const opened = new Promise((resolve) => agent.once('connected', resolve));
    await agent.start();
    await opened;
    const requests: unknown[] = [];
    for (const socket of mp.agentSockets())
      socket.onAny((event: string, ...args: unknown[]) => event === agentEvents.policyRequest && requests.push(args[0]));

    const first = await agent.refreshPolicy('poll');
    expect(first.metering?.rules.map((r) => r.productName)).toEqual(['P1', 'P2', 'P3']);
    const revision = first.metering!.rulesRevision!;
    expect(revision).toMatch(/^[\w-]{22}$/);

    const second = await agent.refreshPolicy('poll');
    expect(second.metering).toMatchObject({ rules: first.metering!.rules, rulesRevision: revision });
    expect(second.metering).not.toHaveProperty('rulesUnchanged');

    await pool().query(`UPDATE metering_rule SET enabled = false, updated_at = now() WHERE product_name = 'P2'`);
    const third = await agent.refreshPolicy('poll');
    expect(third.metering?.rules.map((r) => r.productName)).toEqual(['P1', 'P3']);
    expect(third.metering?.rulesRevision).not.toBe(revision);

    expect(requests).toEqual([
      { answerAsBytes: true },
      { meteringRulesRevision: revision, answerAsBytes: true },
      { meteringRulesRevision: revision, answerAsBytes: true },
    ]);
  });

  it('the policy endpoint and the channel answer by the revision named, and refuse one they cannot read', async () => {
    const { credentials } = await fleet('RAW-', 1);
    const headers = { authorization: authorization(credentials[0]) };
    const get = async (query = '') => {
      const res = await fetch(`${mp.url}/api/mp/policy${query}`, { headers });
      return { status: res.status, body: await res.json() };
    };
    const full = await get();
    expect(full.status).toBe(200);
    const revision: string = full.body.metering.rulesRevision;
    expect(full.body.metering.rules).toHaveLength(2);
    expect(full.body.metering).not.toHaveProperty('rulesUnchanged');

    expect((await get(`?meteringRulesRevision=${revision}`)).body.metering).toMatchObject({
      rules: [],
      rulesRevision: revision,
      rulesUnchanged: true,
    });
    expect((await get('?meteringRulesRevision=stale')).body.metering).toMatchObject({ rules: full.body.metering.rules, rulesRevision: revision });
    const tooLong = await get(`?meteringRulesRevision=${'x'.repeat(65)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['meteringRulesRevision']);

    // The channel, as an agent of any version sends it.
    const socket = io(`${mp.url}/agents`, { auth: { credential: headers.authorization }, transports: ['websocket'] });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
    const ask = async (...payload: unknown[]) =>
      ((await socket.timeout(10_000).emitWithAck(agentEvents.policyRequest, ...payload)) as { policy: typeof full.body }).policy;
    expect((await ask({ meteringRulesRevision: revision })).metering).toMatchObject({ rules: [], rulesUnchanged: true });
    expect((await ask()).metering).toMatchObject({ rules: full.body.metering.rules, rulesRevision: revision });
    const refused = new Promise<PayloadRefusal>((resolve) => socket.once(agentEvents.refused, resolve));
    // A hint it cannot read is refused, naming the field, and the whole policy still answered.
    expect((await ask({ meteringRulesRevision: 5 })).metering).toMatchObject({ rules: full.body.metering.rules });
    expect(await refused).toMatchObject({ event: agentEvents.policyRequest, field: 'meteringRulesRevision' });
    // So is a delivered operation id it cannot read, naming that field.
    for (const deliveredOperationId of [-1, 'x', 2 ** 31]) {
      const refusedOperation = new Promise<PayloadRefusal>((resolve) => socket.once(agentEvents.refused, resolve));
      expect((await ask({ deliveredOperationId })).metering).toMatchObject({ rules: full.body.metering.rules });
      expect(await refusedOperation).toMatchObject({ event: agentEvents.policyRequest, field: 'deliveredOperationId' });
    }
  });

  it('answers an agent that asks for bytes with the JSON of the same answer, over WebSocket and long-polling', async () => {
    const { credentials } = await fleet('BYTES-', 1);
    const credential = authorization(credentials[0]);
    const full = await (await fetch(`${mp.url}/api/mp/policy`, { headers: { authorization: credential } })).json();
    const revision: string = full.metering.rulesRevision;
    for (const transport of ['websocket', 'polling'] as const) {
      const socket = io(`${mp.url}/agents`, { auth: { credential }, transports: [transport] });
      sockets.push(socket);
      await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
      const ask = (payload: unknown) => socket.timeout(10_000).emitWithAck(agentEvents.policyRequest, payload) as Promise<unknown>;

      const objectAnswer = (await ask({})) as { policy: unknown };
      const bytes = await ask({ answerAsBytes: true });
      expect(bytes, transport).toBeInstanceOf(Buffer);
      const policy = readPolicyAnswer(bytes) as typeof full;
      expect(policy).toEqual(objectAnswer.policy);
      expect(policy.metering.rules.map((r: { productName: string }) => r.productName)).toEqual(['P1', 'P3']);
      // Without rules to share, the answer stays an object (one frame where bytes take two).
      const unchanged = await ask({ answerAsBytes: true, meteringRulesRevision: revision });
      expect(unchanged).not.toBeInstanceOf(Buffer);
      expect(readPolicyAnswer(unchanged)).toMatchObject({ metering: { rules: [], rulesUnchanged: true, rulesRevision: revision } });

      // Anything but `true` is refused, naming the field, and the policy answered as an object.
      const refused = new Promise<PayloadRefusal>((resolve) => socket.once(agentEvents.refused, resolve));
      expect(await ask({ answerAsBytes: 'yes' })).toEqual(objectAnswer);
      expect(await refused).toMatchObject({ event: agentEvents.policyRequest, field: 'answerAsBytes' });
    }
  });
});
