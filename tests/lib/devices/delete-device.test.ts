// A device deleted while the collection evaluator re-evaluates a collection it is a member of:
// the evaluation leaves the device out instead of failing on its foreign key and setting the
// collection aside in quarantine.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { pool } from '@/lib/db/pool';
import { useTestDatabase } from '../../support/database';

describe('deleting a device during a collection evaluation', () => {
  let url: string;
  let deviceId: number;
  let collectionId: number;

  beforeAll(async () => {
    ({ url } = await useTestDatabase());
    const { rows: site } = await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('T01', 'Test', now()) RETURNING id`);
    const { rows: device } = await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, updated_at) VALUES ($1, 'WS-1', 'Windows 11', '10.0', 'WORKSTATION', now()) RETURNING id`,
      [site[0].id],
    );
    deviceId = device[0].id;
    const { rows } = await pool().query(
      `INSERT INTO collection (collection_id, name, updated_at) VALUES ('T0000001', 'T01 devices', now()) RETURNING id`,
    );
    collectionId = rows[0].id;
    await pool().query(`INSERT INTO collection_rule (collection_id, kind, query) VALUES ($1, 'QUERY', $2)`, [
      collectionId,
      JSON.stringify({ conditions: [{ field: 'siteCode', value: 'T01' }] }),
    ]);
    expect((await evaluateCollections({ db: pool() })).evaluated).toEqual([{ id: collectionId, members: 1 }]);
  });

  it('sets nothing aside, and the next pass counts the collection without it', async () => {
    const deleter = new pg.Client({ connectionString: url });
    await deleter.connect();
    try {
      // What lib/devices/deletion-repo.ts does first: the row locked, its memberships and the row deleted, not committed yet.
      await deleter.query('BEGIN');
      await deleter.query(`SELECT id FROM device WHERE id = $1 FOR UPDATE`, [deviceId]);
      await deleter.query(`DELETE FROM collection_member WHERE device_id = $1`, [deviceId]);
      await deleter.query(`DELETE FROM device WHERE id = $1`, [deviceId]);
      let settled = false;
      const evaluation = evaluateCollections({ db: pool() }).finally(() => (settled = true));
      // The evaluation still sees the device; it either finishes or waits on the deletion's rows.
      for (let i = 0; i < 100 && !settled; i++) {
        const { rows } = await deleter.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0].n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await deleter.query('COMMIT');
      expect((await evaluation).quarantined).toEqual([]);
    } finally {
      await deleter.end();
    }
    expect((await pool().query(`SELECT count(*)::int AS n FROM quarantined_item`)).rows[0].n).toBe(0);
    expect((await pool().query(`SELECT count(*)::int AS n FROM collection_member`)).rows[0].n).toBe(0);
    expect((await evaluateCollections({ db: pool() })).evaluated).toEqual([{ id: collectionId, members: 0 }]);
  });
  it('leaves out a device new to the collection that is being deleted, after waiting for the deletion', async () => {
    const { rows } = await pool().query(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, updated_at)
       SELECT id, 'WS-2', 'Windows 11', '10.0', 'WORKSTATION', now() FROM site RETURNING id`,
    );
    const deleter = new pg.Client({ connectionString: url });
    await deleter.connect();
    try {
      await deleter.query('BEGIN');
      await deleter.query(`SELECT id FROM device WHERE id = $1 FOR UPDATE`, [rows[0].id]);
      await deleter.query(`DELETE FROM device WHERE id = $1`, [rows[0].id]);
      const evaluation = evaluateCollections({ db: pool() });
      let waiting = false;
      for (let i = 0; i < 100 && !waiting; i++) {
        const { rows: n } = await deleter.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        waiting = n[0].n > 0;
        if (!waiting) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(waiting, 'the evaluation waits on the row being deleted').toBe(true);
      await deleter.query('COMMIT');
      const result = await evaluation;
      expect(result.quarantined).toEqual([]);
      expect(result.evaluated).toEqual([{ id: collectionId, members: 0 }]);
    } finally {
      await deleter.end();
    }
    expect((await pool().query(`SELECT count(*)::int AS n FROM quarantined_item`)).rows[0].n).toBe(0);
  });
});
