import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../scripts/build-server.mjs';
import { AgentSimulator } from '@/lib/agent/simulator';
import { channels } from '@/lib/db/channels';
import { notify } from '@/lib/db/notify';
import { pool } from '@/lib/db/pool';
import { cancelClientOperation } from '@/lib/notification/cancel-client-operation';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { listWorkerLiveness } from '@/lib/workers/heartbeat-repo';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, onlineCount, targetStates } from './fleet';
import { startManagementPoint } from './management-point-process';

describe('two management point processes (npm run mp) on one database', () => {
  let databaseUrl = '';
  const children: ChildProcess[] = [];
  const simulators: AgentSimulator[] = [];

  beforeAll(async () => {
    ({ url: databaseUrl } = await useTestDatabase());
    await buildServer();
  });

  afterAll(async () => {
    await Promise.all(simulators.map((s) => s.stop()));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('each pushes to its own clients; when one is killed mid-operation its clients move over and every result arrives', async () => {
    const [a, b] = await Promise.all([startManagementPoint(databaseUrl), startManagementPoint(databaseUrl)]);
    children.push(a.child, b.child);
    // Client endpoints only: a console path is not here, and registration validates as the console's does.
    const consolePath = await fetch(`${a.url}/api/devices`);
    expect(consolePath.status).toBe(404);
    expect(await consolePath.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const badRegistration = await fetch(`${a.url}/api/mp/register`, {
      method: 'POST',
      body: JSON.stringify({ name: '' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(badRegistration.status).toBe(400);
    expect(((await badRegistration.json()) as { error: { fields: { path: string }[] } }).error.fields.length).toBeGreaterThan(0);
    const { credentials, deviceIds, collectionId } = await fleet('MP-', 40, 'Two management points');
    // Half prefer A, half prefer B; each falls back to the other.
    // A route with a path parameter reaches its handler: no approved script has this hash.
    const script = await fetch(`${a.url}/api/mp/scripts/${'0'.repeat(64)}`, {
      headers: { authorization: `Device ${credentials[0].deviceId}.${credentials[0].secret}` },
    });
    expect(script.status).toBe(404);
    expect(await script.json()).toMatchObject({ error: { message: 'No approved script has that content hash.' } });
    // A path parameter that is not valid percent-encoding is the client's error, not the server's.
    const hostile = await fetch(`${a.url}/api/mp/scripts/%E0%A4%A`, {
      headers: { authorization: `Device ${credentials[0].deviceId}.${credentials[0].secret}` },
    });
    expect(hostile.status).toBe(400);
    const onA = new AgentSimulator({
      managementPointUrls: [a.url, b.url],
      credentials: credentials.slice(0, 20),
      scan: { quickScanMs: 100, fullScanMs: 2_500 },
      initialBackoffMs: 200,
      maxBackoffMs: 1000,
    });
    const onB = new AgentSimulator({
      managementPointUrls: [b.url, a.url],
      credentials: credentials.slice(20),
      scan: { quickScanMs: 100, fullScanMs: 2_500 },
      initialBackoffMs: 200,
      maxBackoffMs: 1000,
    });
    simulators.push(onA, onB);
    await Promise.all([onA.start(), onB.start()]);
    await Promise.all([onA.waitConnected(), onB.waitConnected()]);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 40,
    );
    const presence = await pool().query<{ instance_id: string; n: number }>(
      `SELECT instance_id, count(*)::int AS n FROM device_presence GROUP BY instance_id ORDER BY instance_id`,
    );
    expect(Object.fromEntries(presence.rows.map((r) => [r.instance_id, r.n]))).toEqual({ [a.instanceId]: 20, [b.instanceId]: 20 });

    // A site-wide channel probe: both management points broadcast it to their own agents.
    const probed = new Set<number>();
    for (const agent of [...onA.agents, ...onB.agents]) {
      agent.on('probe', (p: { probeId: string }) => p.probeId === 'site-probe-1' && probed.add(agent.credential.deviceId));
    }
    await notify(pool(), channels.notificationProbe, 'site-probe-1');
    await eventually(
      async () => probed.size,
      (n) => n === 40,
    );

    const pushes = new Map<number, number>();
    for (const agent of [...onA.agents, ...onB.agents]) {
      agent.on('push', () => pushes.set(agent.credential.deviceId, (pushes.get(agent.credential.deviceId) ?? 0) + 1));
    }
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'FULL_SCAN', target: { collectionId: collectionId! } },
    });
    expect(operation).toMatchObject({ total: 40, onlineAtStart: 40 });
    // Every client got it exactly once, from the server it is connected to.
    await eventually(
      () => targetStates(operation.id),
      (s) => s.DELIVERED === 40,
    );
    expect(pushes.size).toBe(40);
    expect([...pushes.values()].every((n) => n === 1)).toBe(true);

    // A dies while its clients are still scanning.
    a.child.kill('SIGKILL');
    // Its clients reconnect to B and send their results there.
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 40,
      30_000,
    );
    // B reaps A's presence after three missed heartbeats; everyone is online through B.
    await eventually(
      async () => (await pool().query(`SELECT DISTINCT instance_id FROM device_presence`)).rows.map((r) => r.instance_id),
      (ids) => ids.length === 1 && ids[0] === b.instanceId,
      15_000,
    );
    expect(await onlineCount(deviceIds)).toBe(40);
    const servers = await pool().query(`SELECT instance_id FROM notification_server`);
    expect(servers.rows.map((r) => r.instance_id)).toEqual([b.instanceId]);
    expect([...pushes.values()].every((n) => n === 1)).toBe(true);

    // Health lists each management point instance by its heartbeat: A's has stopped beating.
    await eventually(
      async () => (await listWorkerLiveness({ db: pool(), heartbeatSeconds: 1 })).filter((w) => w.name === 'management-point'),
      (mps) => mps.length === 2 && mps.some((m) => m.pid === b.child.pid && m.alive) && mps.some((m) => m.pid === a.child.pid && !m.alive),
      15_000,
    );

    // And B going away takes everyone offline.
    await Promise.all(simulators.map((s) => s.stop()));
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 0,
    );
  });

  it('tells clients that move over of a cancel their own management point died before passing on', async () => {
    const [a, b] = await Promise.all([startManagementPoint(databaseUrl), startManagementPoint(databaseUrl)]);
    children.push(a.child, b.child);
    const { credentials, deviceIds } = await fleet('MPC-', 4);
    const agents = new AgentSimulator({
      managementPointUrls: [a.url, b.url],
      credentials,
      // Scans far longer than the test waits: only a cancel ends them in time.
      scan: { quickScanMs: 100, fullScanMs: 60_000 },
      initialBackoffMs: 200,
      maxBackoffMs: 1000,
    });
    simulators.push(agents);
    await agents.start();
    await agents.waitConnected();
    await eventually(
      async () => (await pool().query(`SELECT count(*)::int AS n FROM device_presence WHERE instance_id = $1`, [a.instanceId])).rows[0].n,
      (n) => n === 4,
    );
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'FULL_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.DELIVERED === 4,
    );

    // A hangs, so the cancel never leaves it; B hears it while none of these clients is on B; then A dies.
    a.child.kill('SIGSTOP');
    await cancelClientOperation({ actor: admin, id: operation.id });
    await new Promise((resolve) => setTimeout(resolve, 500));
    a.child.kill('SIGKILL');

    // On B, each is told of the cancel, stops its scan and says so.
    await eventually(
      () => targetStates(operation.id),
      (s) => s.CANCELLED === 4,
      15_000,
    );
  });
});
