// Notification Manager in a worker process killed with SIGKILL between recording operations as
// Expired and telling the consoles: after a restart the consoles hear of the expiry, so an open
// Client Operations page does not show the operation running until reloaded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { startClientOperation } from '@/lib/notification/start-client-operation';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../support/database';
import { admin, fleet, targetStates } from '../lib/notification/fleet';
import { holdNotices, pgSessions } from '../support/held-notices';
import { until, workerProcesses } from '../support/worker-processes';

// Held by the test: the first process's notices to the consoles wait on it.
const TELL_LOCK = 7_301_952_099_002;

describe('Notification Manager killed before telling the consoles of the operations it expired', () => {
  let url = '';
  let workerUrl = '';
  const { start, kill, killAll } = workerProcesses(() => workerUrl);
  const { connect, endAll } = pgSessions(() => url);

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
  });
  afterAll(async () => {
    await killAll();
    await endAll();
  });

  it('tells them after a restart: the operation reads Expired, and the consoles hear it', async () => {
    const { collectionId } = await fleet('NMK-', 5, 'Killed Notification Manager');
    const operation = await startClientOperation({
      actor: admin,
      settings: { operationValidityMinutes: 60 },
      input: { action: 'QUICK_SCAN', target: { collectionId: collectionId! } },
    });
    // No client was online: its validity ends with every target waiting.
    await pool().query(`UPDATE client_operation SET valid_until = now() - interval '1 second' WHERE id = $1`, [operation.id]);
    const listener = await connect();
    const told: unknown[] = [];
    listener.on('notification', (n) => n.channel === channels.clientOperationProgress && told.push(JSON.parse(n.payload ?? 'null')));
    await listener.query(`LISTEN ${channels.clientOperationProgress}`);

    const notices = await holdNotices({ url, channel: channels.clientOperationProgress, key: TELL_LOCK, session: await connect() });
    workerUrl = notices.heldUrl;
    const worker = await start('notification-manager');
    await notices.telling();
    await kill(worker);
    await notices.drop();

    workerUrl = url;
    await start('notification-manager');
    await until('the operation expired', async () => (await targetStates(operation.id)).EXPIRED === 5);
    await until('the consoles told', async () => told.some((n) => (n as { changed?: number[] }).changed?.includes(operation.id)), 10_000);
    expect(told).toContainEqual({ changed: [operation.id] });
  }, 60_000);
});
