// The collection evaluator in a worker process killed with SIGKILL in the middle of a pass, the
// collections before the one it was writing evaluated and those after not: after a restart every
// collection's members, count and deployments' clients are what an evaluation afresh gives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { evaluationOrder } from '@/lib/collections/evaluation-order';
import { loadCollectionDefinitions, notifyCollectionsChanged } from '@/lib/collections/membership-repo';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { useTestDatabase } from '../support/database';
import { pgSessions } from '../support/held-notices';
import { until, workerProcesses } from '../support/worker-processes';

/** Each collection's members and stored count, and the live deployments' clients missing a status row. */
async function membership() {
  const { rows } = await pool().query<{ id: number; member_count: number; members: number[] | null }>(
    `SELECT c.id, c.member_count, (SELECT array_agg(device_id ORDER BY device_id) FROM collection_member m WHERE m.collection_id = c.id) AS members
       FROM collection c ORDER BY c.id`,
  );
  const { rows: missing } = await pool().query(
    `SELECT d.id, m.device_id FROM deployment d JOIN collection_member m ON m.collection_id = d.collection_id
      WHERE d.expired_at IS NULL AND (d.expires_at IS NULL OR d.expires_at > now())
        AND NOT EXISTS (SELECT 1 FROM deployment_client_status s WHERE s.deployment_id = d.id AND s.device_id = m.device_id)`,
  );
  return { collections: rows.map((r) => [r.id, r.member_count, r.members ?? []]), missingClients: missing };
}

describe('the collection evaluator killed with SIGKILL mid-pass', () => {
  let url: string;
  const { start, kill, killAll } = workerProcesses(() => url);
  const { connect, endAll } = pgSessions(() => url);

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    await seedDemoSite({ devices: 200 });
  }, 60_000);
  afterAll(async () => {
    await killAll();
    await endAll();
  });

  it('leaves every collection as an evaluation afresh gives it, after a restart', async () => {
    const worker = await start('collection-evaluator');
    await until('the first pass', async () => {
      const { rows } = await pool().query(`SELECT count(*)::int AS n FROM collection WHERE last_evaluated_at IS NULL`);
      return rows[0].n === 0;
    });
    // Devices the evaluator has not seen: every collection that takes them changes.
    await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT s.id, 'KILL-WS-' || n, 'Windows 11 Enterprise', '10.0.26100', 'WORKSTATION', 'APPROVED', now()
         FROM site s, generate_series(1, 20) n WHERE s.code = 'S01'`,
    );
    // The last collection of the pass is held here: the pass waits in its transaction, the others written.
    const definitions = await loadCollectionDefinitions(pool());
    const { order } = evaluationOrder(
      definitions.map((d) => ({
        id: d.id,
        dependsOn: [
          ...d.rules.flatMap((r) => (r.referencedCollectionId === null ? [] : [r.referencedCollectionId])),
          ...(d.limitingCollectionId === null ? [] : [d.limitingCollectionId]),
        ],
      })),
    );
    const last = order.at(-1)!;
    const held = await connect();
    await held.query(`BEGIN`);
    await held.query(`SELECT 1 FROM collection WHERE id = $1 FOR UPDATE`, [last]);
    await notifyCollectionsChanged(pool());
    await until('the pass waiting on the last collection', async () => {
      const { rows } = await pool().query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE collection SET member_count%'`,
      );
      return rows.length > 0;
    });
    await kill(worker);
    await held.query(`ROLLBACK`);

    const started = new Date();
    await start('collection-evaluator');
    await until('a pass after the restart', async () => {
      const { rows } = await pool().query(`SELECT count(*)::int AS n FROM collection WHERE last_evaluated_at < $1`, [started]);
      return rows[0].n === 0;
    });
    await killAll();
    const after = await membership();
    expect(after.missingClients).toEqual([]);
    expect((await evaluateCollections({ db: pool() })).skipped).toBe(false);
    expect(await membership()).toEqual(after);
  }, 90_000);
});
