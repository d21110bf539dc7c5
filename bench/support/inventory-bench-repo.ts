// The inventory benchmark's own reads and writes of the database: what it counts independently of
// the simulated clients, the collection rule it times, and the raw COPY reference. Never used by a real management point.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { desiredMembersSql, type CollectionDefinition } from '../../lib/collections/membership-repo';
import { ruleLookups } from '../../lib/collections/rule-lookup-repo';

type Db = pg.Client;

/** How many full and delta reports the site has loaded (inventory_report rows). */
export async function loadedReportCounts(db: Db): Promise<{ full: number; delta: number; inbox: number }> {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM inventory_report WHERE kind = 'FULL')::int AS full,
            (SELECT count(*) FROM inventory_report WHERE kind = 'DELTA')::int AS delta,
            (SELECT count(*) FROM inventory_inbox)::int AS inbox`,
  );
  return rows[0];
}

/** Which of these report ids the site has loaded (inventory_report) and which still wait in its inbox. */
export async function reportStates(db: Db, reportIds: string[]): Promise<{ loaded: Set<string>; waiting: Set<string> }> {
  const { rows } = await db.query(
    `SELECT report_id::text AS id, true AS loaded FROM inventory_report WHERE report_id = ANY($1::uuid[])
     UNION ALL SELECT report_id::text, false FROM inventory_inbox WHERE report_id = ANY($1::uuid[])`,
    [reportIds],
  );
  return { loaded: new Set(rows.filter((r) => r.loaded).map((r) => r.id)), waiting: new Set(rows.filter((r) => !r.loaded).map((r) => r.id)) };
}

/**
 * Per device: its device_software rows and the md5 of their `name\tversion\tarch` keys sorted in
 * byte order, one per line. Devices with no rows are absent.
 */
export async function softwareDigests(db: Db, deviceIds: number[]): Promise<Map<number, { rows: number; digest: string }>> {
  const { rows } = await db.query(
    `SELECT device_id, count(*)::int AS rows, md5(string_agg(k, E'\\n' ORDER BY k)) AS digest
       FROM (SELECT ds.device_id, (p.name || E'\\t' || p.version || E'\\t' || p.arch) COLLATE "C" AS k
               FROM device_software ds JOIN software_product p ON p.id = ds.product_id
              WHERE ds.device_id = ANY($1::int[])) x
      GROUP BY device_id`,
    [deviceIds],
  );
  return new Map(rows.map((r) => [r.device_id, { rows: r.rows, digest: r.digest }]));
}

/** A device's software as `name\tversion\tarch` keys. */
export async function softwareKeysOf(db: Db, deviceId: number): Promise<string[]> {
  const { rows } = await db.query(
    `SELECT p.name || E'\\t' || p.version || E'\\t' || p.arch AS k
       FROM device_software ds JOIN software_product p ON p.id = ds.product_id WHERE ds.device_id = $1`,
    [deviceId],
  );
  return rows.map((r) => r.k);
}

export async function tableCounts(db: Db): Promise<{ softwareRows: number; softwareProducts: number; hardwareClassRows: number }> {
  const { rows } = await db.query(
    `SELECT (SELECT count(*) FROM device_software)::int AS "softwareRows",
            (SELECT count(*) FROM software_product)::int AS "softwareProducts",
            (SELECT count(*) FROM device_hardware_class)::int AS "hardwareClassRows"`,
  );
  return rows[0];
}

/** Every stored product's id by its `name\tversion\tarch` key. */
export async function productIds(db: Db): Promise<Map<string, number>> {
  const { rows } = await db.query(`SELECT id, name || E'\\t' || version || E'\\t' || arch AS k FROM software_product`);
  return new Map(rows.map((r) => [r.k, r.id]));
}

/**
 * Evaluates the collection rule "has package `name` with version < `version`" as the collection
 * evaluator does: the rule resolved through the site's version comparison (lib/collections), then
 * its member query over every device's software. Returns the number of members.
 */
export async function evaluateSoftwareVersionBelow(db: pg.Pool, name: string, version: string): Promise<number> {
  const collection: CollectionDefinition = {
    id: 0,
    limitingCollectionId: null,
    refreshMinutes: 60,
    lastEvaluatedAt: null,
    rules: [
      {
        kind: 'QUERY',
        deviceId: null,
        referencedCollectionId: null,
        query: { match: 'all', conditions: [{ field: 'software', name, version: { op: '<', value: version } }] },
      },
    ],
  };
  const { sql, params } = await desiredMembersSql(collection, ruleLookups(db));
  const { rows } = await db.query<{ n: number }>(`SELECT count(DISTINCT device_id)::int AS n FROM (${sql}) m`, params);
  return rows[0].n;
}

/** Empties the two tables the raw COPY reference loads. */
export async function truncateInventoryTables(db: Db): Promise<void> {
  await db.query(`TRUNCATE device_software, device_hardware_class`);
  await db.query('CHECKPOINT');
}

/** COPYs the text-format files into device_software and device_hardware_class. */
export async function copyInventoryFiles(db: Db, files: { software: string; hardware: string }): Promise<void> {
  await pipeline(createReadStream(files.software), db.query(copyFrom(`COPY device_software (device_id, product_id, installed_on) FROM STDIN`)));
  await pipeline(
    createReadStream(files.hardware),
    db.query(copyFrom(`COPY device_hardware_class (device_id, class_name, instances, updated_at) FROM STDIN`)),
  );
}
