// A management point process killed with SIGKILL mid-answer. Killed while it writes a live
// query's rows: its clients answer again through the other, and every device's rows are there
// once. Killed after storing answers and before telling the consoles: once the other reaps it,
// the consoles are told to read the operations again, so none shows answers missing (targets in
// progress, a live query's last rows absent) until reloaded.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../scripts/build-server.mjs';
import { AgentSimulator } from '@/lib/agent/simulator';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { holdNotices, pgSessions } from '../../support/held-notices';
import { admin, eventually, fleet, targetStates } from './fleet';
import { startManagementPoint } from './management-point-process';

const DEVICES = 20;
/** The synthetic agents' processes: eight rows each. */
const ROWS = 8;
// Held by the test: the killed management point's notices to the consoles wait on it.
const TELL_LOCK = 7_301_952_099_001;

describe('a management point process killed mid-answer', () => {
  let databaseUrl = '';
  const children: ChildProcess[] = [];
  const simulators: AgentSimulator[] = [];
  const { connect, endAll } = pgSessions(() => databaseUrl);

  beforeAll(async () => {
    ({ url: databaseUrl } = await useTestDatabase());
    await buildServer();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(simulators.map((s) => s.stop()));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await endAll();
  });

  it('killed before telling the consoles of the answers it stored: they are told to read the operations again once it is reaped', async () => {
    const notices = await holdNotices({
      url: databaseUrl,
      channel: channels.clientOperationProgress,
      key: TELL_LOCK,
      session: await connect(),
    });
    const [a, b] = await Promise.all([startManagementPoint(notices.heldUrl), startManagementPoint(databaseUrl)]);
    children.push(a.child, b.child);
    const { credentials, collectionId } = await fleet('MPK-', 10, 'Killed management point');
    const agents = new AgentSimulator({
      managementPointUrls: [a.url, b.url],
      credentials,
      scan: { quickScanMs: 100, fullScanMs: 200 },
      initialBackoffMs: 200,
      maxBackoffMs: 1000,
    });
    simulators.push(agents);
    await agents.start();
    await agents.waitConnected();
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { collectionId: collectionId! } },
    });
    // Every answer stored by A, which is then telling the consoles (and waits).
    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === 10,
    );
    await notices.telling();
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    await notices.drop();

    const listener = await connect();
    const told: string[] = [];
    listener.on('notification', (n) => n.channel === channels.clientOperationProgress && told.push(n.payload ?? ''));
    await listener.query(`LISTEN ${channels.clientOperationProgress}`);
    // B reaps A after three missed beats; a console told then reads the operation's counts anew.
    await eventually(
      async () => told,
      (n) => n.length > 0,
      15_000,
    ).catch(() => told);
    expect(told.map((n) => JSON.parse(n) as unknown)).toContainEqual({ changed: [] });
  }, 90_000);

  it('killed while writing a live query’s rows: every device’s rows are there once after its clients answer again through the other', async () => {
    // Every client prefers A, and falls back to B.
    const [a, b] = await Promise.all([startManagementPoint(databaseUrl), startManagementPoint(databaseUrl)]);
    children.push(a.child, b.child);
    const { credentials, collectionId } = await fleet('MPL-', DEVICES, 'Live query, killed management point');
    const agents = new AgentSimulator({ managementPointUrls: [a.url, b.url], credentials, initialBackoffMs: 200, maxBackoffMs: 1000 });
    simulators.push(agents);
    await agents.start();
    await agents.waitConnected();

    // A's writes of the answers wait, mid-transaction, on the lock that orders a live query's rows.
    const held = await connect();
    // Taken before the start, on the id the operation is about to get.
    const { rows: next } = await pool().query<{ id: number }>(
      `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::int AS id FROM client_operation_id_seq`,
    );
    await held.query(`SELECT pg_advisory_lock(hashtext('live_query_row'), $1)`, [next[0].id]);
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'LIVE_QUERY', target: { collectionId: collectionId! }, liveQuery: { query: 'processes' } },
    });
    expect(operation.id).toBe(next[0].id);
    const heldPid = (await held.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0].pid;
    const writing = await eventually(
      async () =>
        (
          await pool().query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND pid <> $1`,
            [heldPid],
          )
        ).rows.map((r) => r.pid),
      (pids) => pids.length > 0,
    );
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    for (const pid of writing) await pool().query(`SELECT pg_terminate_backend($1)`, [pid]);
    await held.query(`SELECT pg_advisory_unlock(hashtext('live_query_row'), $1)`, [operation.id]);

    await eventually(
      () => targetStates(operation.id),
      (s) => s.SUCCEEDED === DEVICES,
      30_000,
    );
    const { rows } = await pool().query<{ device_id: number; stored: number; row_nos: number[]; said: number }>(
      `SELECT t.device_id, count(r.row_no)::int AS stored, array_agg(r.row_no ORDER BY r.row_no) AS row_nos,
              (t.result -> 'liveQuery' ->> 'rowCount')::int AS said
         FROM client_operation_target t LEFT JOIN live_query_row r ON r.operation_id = t.operation_id AND r.device_id = t.device_id
        WHERE t.operation_id = $1 GROUP BY t.device_id, t.result`,
      [operation.id],
    );
    expect(rows.length).toBe(DEVICES);
    const wrong = rows.filter((r) => r.said !== ROWS || r.stored !== ROWS || r.row_nos.join() !== [...Array(ROWS).keys()].join());
    expect(wrong).toEqual([]);
  }, 90_000);
});
