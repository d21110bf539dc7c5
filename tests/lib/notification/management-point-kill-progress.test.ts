// A management point process killed with SIGKILL after storing its clients' answers and before
// telling the consoles: once the other management point reaps it, the consoles are told to read
// the operations again, so none shows its answers missing (targets in progress, a live query's
// last rows absent) until reloaded.
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../scripts/build-server.mjs';
import { AgentSimulator } from '@/lib/agent/simulator';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { admin, eventually, fleet, targetStates } from './fleet';
import { startManagementPoint } from './management-point-process';

// Held by the test: the killed management point's notices to the consoles wait on it.
const TELL_LOCK = 7_301_952_099_001;

describe('a management point killed before telling the consoles of the answers it stored', () => {
  let databaseUrl = '';
  const children: ChildProcess[] = [];
  const simulators: AgentSimulator[] = [];
  const sessions: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    sessions.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ url: databaseUrl } = await useTestDatabase());
    await buildServer();
    // For the process started on `public` first: its notices to the consoles wait on TELL_LOCK.
    await pool().query(
      `CREATE FUNCTION public.pg_notify(channel text, payload text) RETURNS void LANGUAGE plpgsql AS $$
       BEGIN
         IF channel = '${channels.clientOperationProgress}' THEN PERFORM pg_catalog.pg_advisory_xact_lock(${TELL_LOCK}); END IF;
         PERFORM pg_catalog.pg_notify(channel, payload);
       END $$`,
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(simulators.map((s) => s.stop()));
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await Promise.all(sessions.map((s) => s.end()));
  });

  it('the consoles are told to read the operations again once it is reaped', async () => {
    const held = await connect();
    await held.query(`SELECT pg_advisory_lock($1)`, [TELL_LOCK]);
    const slow = new URL(databaseUrl);
    slow.searchParams.set('options', '-c search_path=public,pg_catalog');
    const [a, b] = await Promise.all([startManagementPoint(slow.toString()), startManagementPoint(databaseUrl)]);
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
    const telling = await eventually(
      async () =>
        (
          await pool().query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND pid <> $1`,
            [(await held.query(`SELECT pg_backend_pid() AS pid`)).rows[0].pid],
          )
        ).rows.map((r) => r.pid),
      (pids) => pids.length > 0,
    );
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    // Its connections go with it, and what they were about to say.
    for (const pid of telling) await pool().query(`SELECT pg_terminate_backend($1)`, [pid]);
    await held.query(`SELECT pg_advisory_unlock($1)`, [TELL_LOCK]);

    const listener = await connect();
    const notices: string[] = [];
    listener.on('notification', (n) => n.channel === channels.clientOperationProgress && notices.push(n.payload ?? ''));
    await listener.query(`LISTEN ${channels.clientOperationProgress}`);
    // B reaps A after three missed beats; a console told then reads the operation's counts anew.
    const told = await eventually(
      async () => notices,
      (n) => n.length > 0,
      15_000,
    ).catch(() => notices);
    expect(told.map((n) => JSON.parse(n) as unknown)).toContainEqual({ changed: [] });
  }, 90_000);
});
