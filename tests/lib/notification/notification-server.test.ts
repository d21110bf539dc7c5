import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_MESSAGES } from '../../support/inbox';
import { ClientAgent } from '@/lib/agent/agent';
import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import type { AgentCredential } from '@/lib/protocol/policy.schema';
import { manualClock, systemClock, type Clock } from '@/lib/clock';
import { pool } from '@/lib/db/pool';
import { setDeviceApproval } from '@/lib/devices/set-device-approval';
import { cancelClientOperation } from '@/lib/notification/cancel-client-operation';
import { expireClientOperations } from '@/lib/notification/expire-client-operations';
import { getClientOperationOrThrow, listClientOperations, listOperationTargets } from '@/lib/notification/list-client-operations';
import { freePort } from '@/lib/net/free-port';
import { materializeOperationTargets } from '@/lib/notification/materialize-operation-targets';
import { MAX_SOCKETS_PER_DEVICE, NotificationServer } from '@/lib/notification/notification-server';
import { listOperationBlocks } from '@/lib/notification/operation-partitions-repo';
import * as repo from '@/lib/notification/repo';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';
import { statusMessageIds } from '@/lib/reporting/catalog';
import { createStatusReporter } from '@/lib/agent/status-reporter';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, onlineCount, targetStates } from './fleet';
import { TestManagementPoint } from './management-point';
import { channels } from '@/lib/db/channels';
import { agentEvents } from '@/lib/protocol/agent-protocol.schema';
import { heldAgentSocket, rawSockets } from './raw-agent-socket';

let connectionString = '';
const agents: ClientAgent[] = [];
const points: TestManagementPoint[] = [];

beforeAll(async () => {
  ({ url: connectionString } = await useTestDatabase());
});

afterEach(async () => {
  rawSockets.splice(0).forEach((s) => s.disconnect());
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await Promise.all(points.splice(0).map((p) => p.stop()));
});

afterAll(async () => {
  await Promise.all(points.map((p) => p.stop()));
});

async function managementPoint(options: Partial<ConstructorParameters<typeof TestManagementPoint>[0]> = {}) {
  const mp = new TestManagementPoint({ connectionString, ...options });
  await mp.start();
  points.push(mp);
  return mp;
}

function agent(mp: TestManagementPoint, credential: AgentCredential, options: Partial<ConstructorParameters<typeof ClientAgent>[0]> = {}) {
  const a = new ClientAgent({
    managementPointUrls: [mp.url],
    credential,
    pollPolicy: false,
    scanner: syntheticScanner({ quickScanMs: 50, fullScanMs: 100 }),
    initialBackoffMs: 100,
    maxBackoffMs: 500,
    ...options,
  });
  agents.push(a);
  return a;
}

const connectedTo = (a: ClientAgent) => new Promise<{ transport: string }>((resolve) => a.once('connected', resolve));

describe('client notification channel', () => {
  it('connects over WebSocket, records presence in the database, and pushes Download Computer Policy', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('WS-', 3);
    const fleetAgents = credentials.map((c) => agent(mp, c));
    const opened = fleetAgents.map(connectedTo);
    await Promise.all(fleetAgents.map((a) => a.start()));
    expect((await Promise.all(opened)).map((c) => c.transport)).toEqual(['websocket', 'websocket', 'websocket']);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 3,
    );

    // The first operation's partitions come with the schema; its start makes the next block.
    expect(await listOperationBlocks(pool())).toEqual([0]);
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'DOWNLOAD_COMPUTER_POLICY', target: { deviceIds } },
    });
    expect(operation).toMatchObject({ total: 3, onlineAtStart: 3 });
    expect(await listOperationBlocks(pool())).toEqual([0, 1]);
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 3,
    );
    const targets = await listOperationTargets(operation.id, { page: 1, pageSize: 25 });
    expect(targets.rows.map((t) => t.result?.message)).toEqual(
      Array(3).fill('Received policy for site control serial 0 with 0 deployments and 0 software metering rules.'),
    );
    const page = await listClientOperations({ page: 1, pageSize: 25 });
    expect(page.rows[0].counts).toMatchObject({ inProgress: 0, succeeded: 3, failed: 0, waiting: 0, expired: 0, status: 'COMPLETED' });

    // A clean stop takes the clients offline at once, not after the heartbeat lapses.
    await Promise.all(fleetAgents.map((a) => a.stop()));
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 0,
    );
    const { rows } = await pool().query(`SELECT last_seen_at FROM device WHERE id = ANY($1::int[])`, [deviceIds]);
    expect(rows.every((r) => r.last_seen_at !== null)).toBe(true);
  });

  it('takes a pushed Download Computer Policy as delivered from its policy request, with no delivered packet', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('ACKREQ-', 1);
    const a = agent(mp, credentials[0]);
    await a.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );
    const received: { event: string; payload: unknown }[] = [];
    for (const socket of mp.agentSockets()) socket.onAny((event: string, payload: unknown) => received.push({ event, payload }));

    // The policy answer waits on the metering rules: only the request can have said "delivered".
    const blocker = await pool().connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE metering_rule IN ACCESS EXCLUSIVE MODE');
      const policy = await startClientOperation({
        actor: admin,
        settings: { operationValidityMinutes: 60 },
        input: { action: 'DOWNLOAD_COMPUTER_POLICY', target: { deviceIds } },
      });
      await eventually(
        () => targetStates(policy.id),
        (s) => s.DELIVERED === 1,
      );
      await blocker.query('ROLLBACK');
      await eventually(
        () => targetStates(policy.id),
        (s) => s.SUCCEEDED === 1,
      );
      expect(received.filter((r) => r.event === 'policy:request').map((r) => r.payload)).toContainEqual({
        deliveredOperationId: policy.id,
        answerAsBytes: true,
      });
      expect(received.map((r) => r.event)).not.toContain('operation:delivered');
    } finally {
      await blocker.query('ROLLBACK').catch(() => undefined);
      blocker.release();
    }

    // Any other action still says so with a delivered packet as soon as the push is read.
    const scan = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(scan.id),
      (s) => s.SUCCEEDED === 1,
    );
    expect(received.filter((r) => r.event === 'operation:delivered').map((r) => r.payload)).toEqual([{ operationId: scan.id }]);
  });

  it('pushes only to the targets among the clients connected', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('ONLY-', 3);
    const fleetAgents = credentials.map((c) => agent(mp, c));
    const pushed: number[] = [];
    for (const a of fleetAgents) a.on('push', () => pushed.push(a.credential.deviceId));
    await Promise.all(fleetAgents.map((a) => a.start()));
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 3,
    );

    const some = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds: deviceIds.slice(0, 2) } },
    });
    await eventually(
      () => targetStates(some.id),
      (s) => s.SUCCEEDED === 2,
    );
    expect(pushed.sort()).toEqual(deviceIds.slice(0, 2).sort());

    // All of them: one broadcast reaches each once.
    pushed.length = 0;
    const all = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(all.id),
      (s) => s.SUCCEEDED === 3,
    );
    expect(pushed.sort()).toEqual([...deviceIds].sort());
  });

  it('falls back to HTTP long-polling when WebSocket is refused', async () => {
    const mp = await managementPoint({ transports: ['polling'] });
    const { credentials, deviceIds } = await fleet('LP-', 1);
    const a = agent(mp, credentials[0]);
    // Not connected yet: policy comes from the management point's policy endpoint.
    expect(await a.refreshPolicy('startup')).toMatchObject({ deviceId: deviceIds[0], deployments: [] });
    const opened = connectedTo(a);
    await a.start();
    expect((await opened).transport).toBe('polling');
    expect(a.transport).toBe('polling');
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 1,
    );
  });

  it('reconnects after the management point restarts and still gets pushes', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('RS-', 2);
    const fleetAgents = credentials.map((c) => agent(mp, c));
    await Promise.all(fleetAgents.map((a) => a.start()));
    await eventually(async () => fleetAgents.every((a) => a.connected), Boolean);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );

    const dropped = fleetAgents.map((a) => new Promise((resolve) => a.once('disconnected', resolve)));
    await mp.stop();
    await Promise.all(dropped);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 0,
    );
    const back = fleetAgents.map(connectedTo);
    await mp.start(); // same port
    await Promise.all(back);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );

    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'FULL_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 2,
    );
  });

  /** One agent keeping its operations in a folder, with a quick scan of `scanMs` pushed to it and Delivered. */
  async function scanDelivered(prefix: string, scanMs: number) {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet(prefix, 1);
    const resultsDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-results-'));
    const first = agent(mp, credentials[0], { resultsDir, scanner: syntheticScanner({ quickScanMs: scanMs, fullScanMs: scanMs }) });
    const pushes: number[] = [];
    first.on('push', (p) => pushes.push(p.operationId));
    await first.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.DELIVERED === 1,
    );
    return { mp, credential: credentials[0], resultsDir, first, pushes, operation };
  }

  /** The target succeeded, and the agent's folder holds nothing more to send. */
  async function succeededAndForgotten(operationId: number, resultsDir: string) {
    await eventually(
      () => targetStates(operationId),
      (s) => s.SUCCEEDED === 1,
    );
    await eventually(
      () => readdir(resultsDir),
      (files) => files.length === 0,
    );
  }

  it('keeps a result it could not hand over across a restart of the agent, and sends it after', async () => {
    // The action finishes while no management point can be reached, and the agent is then
    // restarted (a service restart, a reboot): the target, Delivered, is never pushed again, so a
    // result held in memory only would leave it Delivered for good.
    const { mp, credential, resultsDir, first, operation } = await scanDelivered('KEEP-', 2500);
    try {
      await mp.stop();
      // The scan (2 to 3 s) ends while the management point is down; then the agent stops.
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      await first.stop();

      const second = agent(mp, credential, { resultsDir });
      await mp.start(); // same port
      await second.start();
      await succeededAndForgotten(operation.id, resultsDir);
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });

  it('runs again an action its agent stopped before it finished, once the agent starts again', async () => {
    // A stop (a service restart, a reboot) cuts the scan short: no result. The target is Delivered
    // and never pushed again, so the agent's own record of the push is what finishes it.
    const { mp, credential, resultsDir, first, pushes, operation } = await scanDelivered('RESUME-', 5000);
    try {
      await first.stop();
      expect(pushes).toEqual([operation.id]);

      const second = agent(mp, credential, { resultsDir });
      const repushed: number[] = [];
      second.on('push', (p) => repushed.push(p.operationId));
      await second.start();
      await succeededAndForgotten(operation.id, resultsDir);
      expect(repushed).toEqual([]);
    } finally {
      await rm(resultsDir, { recursive: true, force: true });
    }
  });

  it('sends a result again while it stays connected, when the management point could not store it', async () => {
    // The management point's database refuses the write once (cut off, restarting): the agent is
    // told "not stored". Its connection can last for days, so it must not wait for a reconnect.
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('RETRY-', 1);
    const a = agent(mp, credentials[0], { scanner: syntheticScanner({ quickScanMs: 300, fullScanMs: 300 }) });
    const disconnects: string[] = [];
    a.on('disconnected', ({ reason }) => disconnects.push(reason));
    await a.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );
    await pool().query(`
      CREATE TABLE refuse_results_of (device_id int);
      CREATE FUNCTION refuse_results() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.state = 'SUCCEEDED' AND EXISTS (SELECT 1 FROM refuse_results_of f WHERE f.device_id = NEW.device_id) THEN RAISE EXCEPTION 'results refused'; END IF;
          RETURN NEW;
        END $$;
      CREATE TRIGGER refuse_results BEFORE UPDATE ON client_operation_target FOR EACH ROW EXECUTE FUNCTION refuse_results();`);
    try {
      await pool().query(`INSERT INTO refuse_results_of VALUES ($1)`, [deviceIds[0]]);
      const operation = await startClientOperation({
        actor: admin,
        settings: { operationValidityMinutes: 60 },
        input: { action: 'QUICK_SCAN', target: { deviceIds } },
      });
      // The result reached the management point and was refused by the database.
      await eventually(
        () =>
          pool().query(`SELECT count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 AND delivered_at IS NOT NULL`, [operation.id]),
        (r) => r.rows[0].n === 1,
      );
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await pool().query(`DELETE FROM refuse_results_of`);
      await eventually(
        () => targetStates(operation.id),
        (s) => s.SUCCEEDED === 1,
        20_000,
      );
      expect(disconnects).toEqual([]);
    } finally {
      await pool().query(`DROP TRIGGER refuse_results ON client_operation_target; DROP FUNCTION refuse_results(); DROP TABLE refuse_results_of;`);
    }
  }, 30_000);

  it('takes the clients of a silent management point offline from Notification Manager, with no management point left to do it', async () => {
    // Every management point and console died at once (a host lost): none is left to reap the
    // others, and their clients read online. Notification Manager, in the workers, reaps too.
    // (This one beats once an hour: no beat of its own comes between the test's steps.)
    const mp = await managementPoint({ heartbeatSeconds: 3600 });
    const { credentials, deviceIds } = await fleet('ORPHAN-', 2);
    await Promise.all(credentials.map((c) => agent(mp, c).start()));
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );
    const { rows } = await pool().query<{ instance_id: string }>(
      `SELECT DISTINCT instance_id FROM device_presence WHERE device_id = ANY($1::int[])`,
      [deviceIds],
    );
    // Its beats stop as a killed process's would (the process itself is stopped after, so it cannot clean up).
    await pool().query(`UPDATE notification_server SET last_beat_at = now() - interval '1 hour' WHERE instance_id = $1`, [rows[0].instance_id]);
    expect(await expireClientOperations({ staleServerSeconds: 7200 })).toBeDefined();
    expect(await onlineCount(deviceIds)).toBe(2);
    await expireClientOperations({ staleServerSeconds: 30 });
    expect(await onlineCount(deviceIds)).toBe(0);
    const servers = await pool().query(`SELECT 1 FROM notification_server WHERE instance_id = $1`, [rows[0].instance_id]);
    expect(servers.rowCount).toBe(0);
  });

  it('re-pushes to a client that comes online within the validity, and never after it: Expired', async () => {
    const clock = manualClock(new Date());
    const mp = await managementPoint({ clock });
    const { credentials, deviceIds } = await fleet('VAL-', 3);
    const [early, withinValidity, tooLate] = credentials.map((c) => agent(mp, c));
    const pushes = new Map<number, number>();
    for (const a of [early, withinValidity, tooLate])
      a.on('push', () => pushes.set(a.credential.deviceId, (pushes.get(a.credential.deviceId) ?? 0) + 1));
    await early.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );

    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
      clock,
    });
    expect(operation).toMatchObject({ total: 3, onlineAtStart: 1 });
    expect(operation.validUntil.getTime() - clock.now().getTime()).toBe(60 * 60_000);
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 1 && s.WAITING === 2,
    );

    clock.advance(59 * 60_000);
    await withinValidity.start();
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 2 && s.WAITING === 1,
    );

    clock.advance(2 * 60_000); // past the validity
    const opened = connectedTo(tooLate);
    await tooLate.start();
    await opened;
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 3,
    );
    await mp.server!.flush(); // the owed-push check for tooLate has run
    // A probe sent after it reaches tooLate after any push that check sent, on the same connection.
    const probed = new Promise<void>((resolve) => tooLate.on('probe', (p: { probeId: string }) => p.probeId === 'after-owed-check' && resolve()));
    mp.server!.probe({ probeId: 'after-owed-check', sentAt: Date.now() });
    await probed;
    expect(pushes.get(tooLate.credential.deviceId)).toBeUndefined();

    // Counted Expired at once; Notification Manager then records it so, once.
    const page = await listClientOperations({ page: 1, pageSize: 25 }, clock);
    expect(page.rows.find((r) => r.id === operation.id)!.counts).toMatchObject({ succeeded: 2, waiting: 0, expired: 1, status: 'EXPIRED' });
    const first = await expireClientOperations({ clock });
    expect(first.expired.find((e) => e.id === operation.id)).toEqual({ id: operation.id, expired: 1, total: 3 });
    expect((await expireClientOperations({ clock })).expired).toEqual([]);
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 2, EXPIRED: 1 });
    expect([...pushes.values()]).toEqual([1, 1]);
  });

  it('cancels: unreached clients are never pushed', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('CAN-', 2);
    const [online, later] = credentials.map((c) => agent(mp, c));
    await online.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 1,
    );
    await cancelClientOperation({ actor: admin, id: operation.id });
    let pushed = false;
    later.on('push', () => (pushed = true));
    await later.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );
    await mp.server!.flush();
    expect(pushed).toBe(false);
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 1, CANCELLED: 1 });
    await expect(cancelClientOperation({ actor: admin, id: operation.id })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('pushes an operation whose start commits after a later start, its push ahead of the other in the queue', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('ORDER-', 2);
    await Promise.all(credentials.map((c) => agent(mp, c).start()));
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );
    // One start has queued its push and not committed yet (its audit is being written, say)...
    const slow = await pool().connect();
    try {
      await slow.query('BEGIN');
      const first = await repo.insertOperation(slow, {
        action: 'DOWNLOAD_COMPUTER_POLICY',
        target: { deviceIds: [deviceIds[0]] },
        targetName: deviceIds[0].toString(),
        startedBy: admin.principal.userName,
        startedAt: new Date(),
        validUntil: new Date(Date.now() + 3_600_000),
      });
      await repo.enqueuePush(slow, first.id, 'START');
      // ...when another is started and commits. Read past by then, the first push was never sent.
      const second = startClientOperation({
        actor: admin,
        settings: { operationValidityMinutes: 60 },
        input: { action: 'DOWNLOAD_COMPUTER_POLICY', target: { deviceIds: [deviceIds[1]] } },
      });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await slow.query('COMMIT');
      const later = await second;
      for (const id of [later.id, first.id])
        await eventually(
          () => targetStates(id),
          (s) => s.SUCCEEDED === 1,
        );
    } finally {
      slow.release();
    }
  });

  it('refuses bad credentials, and drops and refuses a revoked device', async () => {
    const mp = await managementPoint();
    const { credentials } = await fleet('REV-', 1);
    const impostor = agent(mp, { ...credentials[0], secret: 'x'.repeat(43) });
    const refusedImpostor = new Promise<{ reason: string }>((resolve) => impostor.once('refused', resolve));
    await impostor.start();
    expect(await refusedImpostor).toEqual({ reason: 'UNAUTHENTICATED' });

    const device = agent(mp, credentials[0]);
    await device.start();
    await eventually(async () => device.connected, Boolean);
    const refused = new Promise<{ reason: string }>((resolve) => device.once('refused', resolve));
    await setDeviceApproval({ actor: admin, deviceId: credentials[0].deviceId, approval: 'REVOKED' });
    expect(await refused).toEqual({ reason: 'REVOKED' });
    expect(mp.server!.connectedDeviceIds()).not.toContain(credentials[0].deviceId);

    const again = agent(mp, credentials[0]);
    const refusedAgain = new Promise<{ reason: string }>((resolve) => again.once('refused', resolve));
    await again.start();
    expect(await refusedAgain).toEqual({ reason: 'FORBIDDEN' });
  });

  /** A Quick Scan run by one agent with a spooling reporter; the action's success message as stored. */
  async function quickScanMessage(prefix: string, options: Partial<Parameters<typeof agent>[2]> = {}) {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet(prefix, 1);
    const spoolDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-agent-'));
    const credential = credentials[0];
    const reporter = createStatusReporter({
      managementPointUrl: mp.url,
      spoolDir,
      device: credential.name,
      headers: () => ({ authorization: `Device ${credential.deviceId}.${credential.secret}` }),
      initialBackoffMs: 100,
    });
    const a = agent(mp, credential, { reporter, ...options });
    await a.start();
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds } },
    });
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 1,
    );
    const isSuccess = (m: { messageId: number; systemName: string }) =>
      m.messageId === statusMessageIds.clientActionSucceeded && m.systemName === credential.name;
    const stored = await eventually(
      async () => (await pool().query(`SELECT m FROM status_inbox, json_array_elements(${INBOX_MESSAGES}) AS m`)).rows.map((r) => r.m),
      (rows) => rows.some(isSuccess),
    );
    await a.stop();
    await rm(spoolDir, { recursive: true, force: true });
    return { message: stored.find(isSuccess), credential, operation };
  }

  it('reports what an action did as a status message, through the spooling reporter with its device credential', async () => {
    const { message, credential, operation } = await quickScanMessage('STA-');
    expect(message).toMatchObject({ systemName: credential.name, component: 'CCM_NOTIFICATION_AGENT', source: 'CLIENT' });
    expect(message.insertionStrings.slice(0, 2)).toEqual([String(operation.id), 'Quick Scan']);
  });

  it("reports an action's status message with the site code policy names, not a configured one the site would refuse", async () => {
    // Installed without --site: the agent's configuration says S01's default, or another site's code.
    const { message, operation } = await quickScanMessage('STB-', { siteCode: 'P01', pollPolicy: true });
    expect(message).toMatchObject({ siteCode: 'S01', insertionStrings: expect.arrayContaining([String(operation.id)]) });
  });

  it('holds at most a few connections of one device, dropping the oldest, and the device stays online', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('SOCK-', 1);
    const credential = `Device ${credentials[0].deviceId}.${credentials[0].secret}`;
    const sockets = [];
    const dropped: number[] = [];
    for (let i = 0; i < MAX_SOCKETS_PER_DEVICE + 2; i++) {
      const socket = await heldAgentSocket(mp, credential);
      socket.on('disconnect', (reason) => reason === 'io server disconnect' && dropped.push(i));
      sockets.push(socket);
    }
    await eventually(
      async () => dropped.length,
      (n) => n === 2,
    );
    expect(dropped).toEqual([0, 1]);
    expect(sockets.map((s) => s.connected)).toEqual([false, false, ...Array<boolean>(MAX_SOCKETS_PER_DEVICE).fill(true)]);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 1,
    );
  });
});

// A start commits the operation (its target ids fixed) and its push in one small transaction; the
// per-target rows are written later by the first that needs them. These check pushes, results,
// counts, cancel and expiry before and after that, and that the rows are written once.
const start = (deviceIds: number[], clock: Clock = systemClock) =>
  startClientOperation({ actor: admin, settings: { operationValidityMinutes: 60 }, input: { action: 'QUICK_SCAN', target: { deviceIds } }, clock });

const targetRowCount = async (operationId: number) => Object.values(await targetStates(operationId)).reduce((a, b) => a + b, 0);

describe('the client notification port', () => {
  const refusesConnections = (port: number) =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });

  it('follows the site setting without a restart, and leaves agents the console port while the new one is taken', async () => {
    const [first, second, taken] = [await freePort(), await freePort(), await freePort()];
    let port = first;
    const consoleHttp = createServer();
    const consoleIo = new Server(consoleHttp, { serveClient: false });
    await new Promise<void>((resolve) => consoleHttp.listen(0, '127.0.0.1', resolve));
    const consoleUrl = `http://127.0.0.1:${(consoleHttp.address() as AddressInfo).port}`;
    const occupant = createNetServer();
    const logLines: string[] = [];
    const server = new NotificationServer({
      log: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      connectionString,
      heartbeatSeconds: 1,
      flushMs: 50,
      dedicatedPort: { host: '127.0.0.1' },
      settings: async () => ({ port, keepAliveSeconds: 900, operationValidityMinutes: 60 }),
      policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
    });
    server.attach(consoleIo);
    await server.start();
    const settingsApplied = () => pool().query(`SELECT pg_notify($1, '')`, [channels.siteControlApplied]);
    const portMessages = async () =>
      (
        await pool().query<{ id: number; strings: string[] }>(
          `SELECT (m->>'messageId')::int AS id, ARRAY(SELECT json_array_elements_text(m->'insertionStrings')) AS strings
             FROM status_inbox, json_array_elements(${INBOX_MESSAGES}) AS m
            WHERE (m->>'messageId')::int IN ($1, $2) ORDER BY status_inbox.id`,
          [statusMessageIds.notificationPortListening, statusMessageIds.notificationPortUnavailable],
        )
      ).rows;
    try {
      expect(server.dedicatedPort()).toBe(first);
      const { credentials, deviceIds } = await fleet('PORT-', 2);
      const onPort = (credential: AgentCredential, notificationPort: number) => {
        const a = new ClientAgent({
          managementPointUrls: [consoleUrl],
          notificationPort,
          credential,
          pollPolicy: false,
          initialBackoffMs: 100,
          maxBackoffMs: 500,
        });
        agents.push(a);
        return a;
      };
      const nextConnection = (a: ClientAgent) => new Promise<string>((resolve) => a.once('connected', ({ url }: { url: string }) => resolve(url)));

      const early = onPort(credentials[0], first);
      let reached = nextConnection(early);
      await early.start();
      expect(await reached).toBe(`http://127.0.0.1:${first}`);

      // Moved: the old port closes, its agent falls back to the console port, the new port takes agents.
      reached = nextConnection(early);
      port = second;
      await settingsApplied();
      await eventually(
        async () => server.dedicatedPort(),
        (p) => p === second,
      );
      expect(await refusesConnections(first)).toBe(true);
      expect(await reached).toBe(consoleUrl);
      const late = onPort(credentials[1], second);
      const lateReached = nextConnection(late);
      await late.start();
      expect(await lateReached).toBe(`http://127.0.0.1:${second}`);

      // A port another program holds: no dedicated port, and agents stay reachable on the console port.
      await new Promise<void>((resolve) => occupant.listen(taken, '127.0.0.1', resolve));
      reached = nextConnection(late);
      port = taken;
      await settingsApplied();
      // Said where the console shows it (status messages), once.
      await eventually(portMessages, (rows) => rows.length === 3);
      expect(server.dedicatedPort()).toBeNull();
      expect(await reached).toBe(consoleUrl);
      await eventually(
        () => onlineCount(deviceIds),
        (n) => n === 2,
      );

      // The port is taken up as soon as it is free.
      await new Promise<void>((resolve) => occupant.close(() => resolve()));
      const rows = await eventually(portMessages, (r) => r.length === 4, 10_000);
      expect(server.dedicatedPort()).toBe(taken);
      expect(rows.map((r) => [r.id, r.strings[0]])).toEqual([
        [statusMessageIds.notificationPortListening, String(first)],
        [statusMessageIds.notificationPortListening, String(second)],
        [statusMessageIds.notificationPortUnavailable, String(taken)],
        [statusMessageIds.notificationPortListening, String(taken)],
      ]);
      expect(rows[2].strings[1]).toContain('EADDRINUSE');
      // The log names the port, where it is set and what happens meanwhile, without a stack.
      const warning = logLines
        .map((line) => JSON.parse(line) as { msg: string; reason?: string; err?: unknown })
        .find((l) => l.msg.startsWith('could not listen'));
      expect(warning).toMatchObject({
        msg: `could not listen on the client notification port ${taken} (the site setting Client notification port); agents use the console port until it is free`,
        reason: expect.stringContaining('EADDRINUSE'),
      });
      expect(warning?.err).toBeUndefined();
    } finally {
      await server.stop();
      await new Promise<void>((resolve) => void consoleIo.close(() => resolve()));
      if (occupant.listening) await new Promise<void>((resolve) => occupant.close(() => resolve()));
    }
  });

  it('answers a request that is not for the channel at once, naming the console port it listens on, instead of holding it open', async () => {
    const port = await freePort();
    const server = new NotificationServer({
      log: pino({ level: 'silent' }),
      connectionString,
      heartbeatSeconds: 1,
      flushMs: 50,
      dedicatedPort: { host: '127.0.0.1' },
      settings: async () => ({ port, keepAliveSeconds: 900, operationValidityMinutes: 60 }),
      policySiteSettings: (siteIds) => readPolicySiteSettings(siteIds),
      consolePort: () => 4567,
    });
    await server.start();
    try {
      // An agent given the notification port as its management point (`--mp http://mp01:10123`).
      const answer = await fetch(`http://127.0.0.1:${port}/api/mp/register`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) });
      expect(answer.status).toBe(404);
      expect(((await answer.json()) as { error: { message: string } }).error.message).toBe(
        "This port serves the client notification channel only; the management point's endpoints are on its console port, 4567.",
      );
    } finally {
      await server.stop();
    }
  });
});

describe('client operation target rows, written after the start', () => {
  it('are not needed to push; the first answers write them, each result is stored once, and the totals stay right', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('PEND-', 3);
    const [first, second] = credentials.map((c) => agent(mp, c));
    const pushes: number[] = [];
    for (const a of [first, second]) a.on('push', () => pushes.push(a.credential.deviceId));
    await Promise.all([first.start(), second.start()]);
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );

    const operation = await start(deviceIds);
    expect(operation).toMatchObject({ total: 3, onlineAtStart: 2, targetsPending: true });
    expect(await targetRowCount(operation.id)).toBe(0);
    // Before any row exists the console counts every target as waiting, not as done.
    expect((await getClientOperationOrThrow(operation.id)).counts).toMatchObject({ inProgress: 0, waiting: 3, status: 'RUNNING' });

    // The notification server writes the rows before it records the first answers.
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 2 && s.WAITING === 1,
    );
    expect(await targetRowCount(operation.id)).toBe(3);
    expect(pushes.sort()).toEqual(deviceIds.slice(0, 2).sort());

    // Notification Manager finds nothing left to write.
    expect((await expireClientOperations()).materialized).toEqual([]);
    expect(await targetRowCount(operation.id)).toBe(3);
    const row = await getClientOperationOrThrow(operation.id);
    expect(row).toMatchObject({ total: 3, onlineAtStart: 2 });
    expect(row.counts).toMatchObject({ inProgress: 0, succeeded: 2, waiting: 1, status: 'RUNNING' });
  });

  it('are not written while the push is still being read: the first answer writes them', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('PHELD-', 2);
    // The agents receive the push but hold their acknowledgement and result until released.
    const held: (() => void)[] = [];
    const pair = credentials.map((c) => agent(mp, c, { schedulePushWork: (work) => void held.push(work) }));
    const pushes: number[] = [];
    for (const a of pair) a.on('push', () => pushes.push(a.credential.deviceId));
    await Promise.all(pair.map((a) => a.start()));
    await eventually(
      () => onlineCount(deviceIds),
      (n) => n === 2,
    );

    const operation = await start(deviceIds);
    await eventually(
      async () => pushes.length,
      (n) => n === 2,
    );
    // Past the management point's flush interval: with nothing answered it has written nothing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await targetRowCount(operation.id)).toBe(0);

    held.splice(0).forEach((work) => work());
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 2,
    );
  });

  it('are not needed to push to a client that connects before they are written', async () => {
    const mp = await managementPoint();
    const { credentials, deviceIds } = await fleet('PENDC-', 1);
    const operation = await start(deviceIds);
    const late = agent(mp, credentials[0]);
    await late.start();
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 1,
    );
    expect(await targetStates(operation.id)).toEqual({ SUCCEEDED: 1 });
  });

  it('are written once when two write them at once', async () => {
    const { deviceIds } = await fleet('REPAIR-', 4);
    const operation = await start(deviceIds);
    expect(await targetRowCount(operation.id)).toBe(0);
    // Two writers at once (two management points answering, say): one writes, the other finds it done.
    const both = await Promise.all([0, 1].map(() => materializeOperationTargets({ db: pool(), operationIds: [operation.id] })));
    expect(both.flat()).toEqual([operation.id]);
    expect(await targetStates(operation.id)).toEqual({ WAITING: 4 });
  });

  it("refresh their partition's statistics when a fleet's worth is written, so answers update them by key", async () => {
    // Written in one statement, 1,200 rows leave the partition's statistics describing what it
    // held before; every flush of answers would then plan its update as a scan of the whole
    // partition. The planner must see them at once, not after autovacuum's next round.
    const { deviceIds } = await fleet('STATS-', 1200);
    const operation = await start(deviceIds);
    const partition = `client_operation_target_b${Math.floor(operation.id / 100)}`;
    const statistics = async () =>
      (
        await pool().query<{ reltuples: number; analyzed: boolean }>(
          `SELECT c.reltuples::float8 AS reltuples, s.last_analyze IS NOT NULL AS analyzed
             FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relname = $1`,
          [partition],
        )
      ).rows[0];
    expect((await statistics()).reltuples).toBeLessThan(1200);
    expect(await materializeOperationTargets({ db: pool(), operationIds: [operation.id] })).toEqual([operation.id]);
    expect(await statistics()).toEqual({ reltuples: expect.any(Number), analyzed: true });
    expect((await statistics()).reltuples).toBeGreaterThanOrEqual(1200);
  });

  it('are written by Notification Manager on its cycle', async () => {
    const { deviceIds } = await fleet('CYCLE-', 2);
    const operation = await start(deviceIds);
    const repaired = await expireClientOperations();
    expect(repaired.materialized).toContain(operation.id);
    expect(await targetStates(operation.id)).toEqual({ WAITING: 2 });
    expect((await expireClientOperations()).materialized).not.toContain(operation.id);
    expect(await targetRowCount(operation.id)).toBe(2);
    expect(await repo.pendingOperationIds(pool(), [operation.id])).toEqual([]);
  });

  it('are written by the per-device drill-down when it is opened first', async () => {
    const { deviceIds } = await fleet('DRILL-', 2);
    const operation = await start(deviceIds);
    const targets = await listOperationTargets(operation.id, { page: 1, pageSize: 25 });
    expect(targets.total).toBe(2);
    expect(targets.rows.map((t) => t.state)).toEqual(['WAITING', 'WAITING']);
  });

  it('are written cancelled after a cancel that came first', async () => {
    const { deviceIds } = await fleet('PCAN-', 2);
    const operation = await start(deviceIds);
    await cancelClientOperation({ actor: admin, id: operation.id });
    expect((await getClientOperationOrThrow(operation.id)).counts).toMatchObject({ waiting: 0, cancelled: 2, status: 'CANCELLED' });
    await expireClientOperations();
    expect(await targetStates(operation.id)).toEqual({ CANCELLED: 2 });
  });

  it('are written, then expired, in one pass for an operation past its validity', async () => {
    const clock = manualClock(new Date());
    const { deviceIds } = await fleet('PEXP-', 2);
    const operation = await start(deviceIds, clock);
    clock.advance(61 * 60_000);
    const pass = await expireClientOperations({ clock });
    expect(pass.materialized).toContain(operation.id);
    expect(pass.expired.find((e) => e.id === operation.id)).toEqual({ id: operation.id, expired: 2, total: 2 });
    expect(await targetStates(operation.id)).toEqual({ EXPIRED: 2 });
  });
});

describe('operation results', () => {
  it("keep the client's completion time when it lies between the start and the arrival, and read as the arrival when the client's clock is hours off", async () => {
    const mp = await managementPoint();
    const { credentials } = await fleet('CLOCK-', 3);
    const sockets = await Promise.all(credentials.map((c) => heldAgentSocket(mp, `Device ${c.deviceId}.${c.secret}`)));
    const pushed = Promise.all(sockets.map((s) => new Promise((resolve) => s.once(agentEvents.push, resolve))));
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { deviceIds: credentials.map((c) => c.deviceId) } },
    });
    await pushed;
    const sixHours = 6 * 3_600_000;
    // A clock six hours behind, one six hours ahead, and a right one.
    const reported = [Date.now() - sixHours, Date.now() + sixHours, Date.now()];
    const sentBy = await Promise.all(
      sockets.map(async (socket, i) => {
        const answer = await socket.emitWithAck(agentEvents.result, {
          operationId: operation.id,
          outcome: 'SUCCEEDED',
          detail: { message: 'scanned', durationMs: 5 },
          completedAt: new Date(reported[i]).toISOString(),
        });
        expect(answer).toEqual({ stored: true });
        return Date.now();
      }),
    );
    const { rows } = await pool().query<{ device_id: number; completed_at: Date }>(
      `SELECT device_id, completed_at FROM client_operation_target WHERE operation_id = $1 ORDER BY device_id`,
      [operation.id],
    );
    const completed = credentials.map((c) => rows.find((r) => r.device_id === c.deviceId)!.completed_at.getTime());
    for (const [i, at] of completed.entries()) {
      expect(at).toBeGreaterThanOrEqual(operation.startedAt.getTime());
      expect(at).toBeLessThanOrEqual(sentBy[i]);
    }
    expect(completed[2]).toBe(reported[2]);
  });
});
