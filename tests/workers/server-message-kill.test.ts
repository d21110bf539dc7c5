import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { statusMessageIds } from '@/lib/reporting/catalog';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { ensureSiteControl } from '@/lib/sitecontrol/repo';
import { useTestDatabase } from '../support/database';
import { INBOX_MESSAGES } from '../support/inbox';
import { until, workerProcesses } from '../support/worker-processes';

/** Site Control Manager heartbeats (2812) waiting in the inbox, and stored. */
async function heartbeats() {
  const { rows } = await pool().query<{ inbox: number; stored: number }>(
    `SELECT (SELECT count(*)::int FROM status_inbox, json_array_elements(${INBOX_MESSAGES}) m WHERE (m->>'messageId')::int = $1) AS inbox,
            (SELECT count(*)::int FROM status_message WHERE message_id = $1) AS stored`,
    [statusMessageIds.siteControlHeartbeat],
  );
  return rows[0];
}

describe('a server message reported outside a transaction, in a worker process that runs Status Manager', () => {
  let url: string;
  const { start, kill, killAll } = workerProcesses(() => url);
  const sessions: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    sessions.push(client);
    return client;
  };

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await seedDemoSite({ devices: 0 });
    await ensureSiteControl(pool(), { siteCode: 'S01' });
    // A heartbeat every second (a stored document may hold a six-field pattern; a change may not).
    await pool().query(
      `UPDATE site_control SET document = jsonb_set(document, '{components,siteControlManager,heartbeatSchedule}', '"* * * * * *"')`,
    );
  });
  afterAll(async () => {
    await killAll();
    await Promise.all(sessions.map((s) => s.end()));
  });

  it('is in the database once the report returns: a SIGKILL right after loses nothing', async () => {
    // Status Manager busy: any batch it takes waits on the filter rules, so what the workers
    // report can only survive the kill by having been written before the report returned.
    const busy = await connect();
    await busy.query(`BEGIN`);
    await busy.query(`LOCK TABLE status_filter_rule IN ACCESS EXCLUSIVE MODE`);
    // Site Control Manager tells Hierarchy Manager "heartbeat" once its heartbeat's report returned.
    const listener = await connect();
    const reported = new Promise<void>((resolve) => {
      listener.on('notification', (n) => n.channel === channels.hierarchyManager && n.payload === 'heartbeat' && resolve());
    });
    await listener.query(`LISTEN ${channels.hierarchyManager}`);

    const workers = await start('status-manager,site-control-manager');
    await reported;
    await kill(workers);
    await busy.query(`ROLLBACK`);

    expect((await heartbeats()).inbox).toBeGreaterThanOrEqual(1);
    // Status Manager, started again, stores it.
    await start('status-manager');
    const after = await until('the heartbeat stored', async () => {
      const counts = await heartbeats();
      return counts.stored > 0 && counts;
    });
    expect(after.stored).toBeGreaterThanOrEqual(1);
  }, 90_000);
});
