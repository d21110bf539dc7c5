// A management point process killed with SIGKILL after storing its clients' answers and before
// telling the consoles: once the other management point reaps it, the consoles are told to read
// the operations again, so none shows its answers missing (targets in progress, a live query's
// last rows absent) until reloaded.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../scripts/build-server.mjs';
import { AgentSimulator } from '@/lib/agent/simulator';
import { channels } from '@/lib/db/channels';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { useTestDatabase } from '../../support/database';
import { holdNotices, pgSessions } from '../../support/held-notices';
import { admin, eventually, fleet, targetStates } from './fleet';
import { startManagementPoint } from './management-point-process';

// Held by the test: the killed management point's notices to the consoles wait on it.
const TELL_LOCK = 7_301_952_099_001;

describe('a management point killed before telling the consoles of the answers it stored', () => {
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

  it('the consoles are told to read the operations again once it is reaped', async () => {
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
});
