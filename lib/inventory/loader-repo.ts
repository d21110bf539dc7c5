import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { HardwareInstance, SoftwareKey } from '../protocol/inventory.schema';
import type { PackageRef } from './diff-inventory';

/** The inventory loader's SQL: the inbox, products, a device's software and hardware, the report history. */

type Db = pg.Pool | pg.ClientBase;

/** A report waiting in the inbox, as the loader reads it. */
export interface InboxRow {
  id: string;
  deviceId: number;
  reportId: string;
  receivedAt: Date;
  /** gzip-compressed JSON. */
  body: Buffer;
}

/** Whether any report waits in the inbox: one short read, for the idle loader's every poll. */
export async function inboxHasReports(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ waiting: boolean }>(`SELECT EXISTS (SELECT 1 FROM inventory_inbox) AS waiting`);
  return rows[0].waiting;
}

/** The oldest reports after `afterId`, read without locking: the write transaction claims them. */
export async function fetchInbox(db: Db, afterId: string, limit: number): Promise<InboxRow[]> {
  const { rows } = await db.query<InboxRow>(
    `SELECT id::text, device_id AS "deviceId", report_id::text AS "reportId", received_at AS "receivedAt", body
       FROM inventory_inbox i WHERE i.id > $1::bigint ORDER BY i.id LIMIT $2`,
    [afterId, limit],
  );
  return rows;
}

/**
 * Takes reports out of the inbox inside the caller's transaction: those another loader holds are
 * skipped (SKIP LOCKED), a rollback puts them back. Returns the ids taken.
 */
export async function claimInbox(client: pg.ClientBase, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const { rows } = await client.query<{ id: string }>(
    `DELETE FROM inventory_inbox WHERE id IN (SELECT id FROM inventory_inbox WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE SKIP LOCKED)
     RETURNING id::text`,
    [ids],
  );
  return new Set(rows.map((r) => r.id));
}

/** Puts a report back into the inbox (a quarantined report retried). */
export async function insertInboxRow(
  db: Db,
  row: { deviceId: number; reportId: string; kind: 'FULL' | 'DELTA'; version: number; baseVersion: number | null; body: Buffer },
): Promise<void> {
  await db.query(
    `INSERT INTO inventory_inbox (device_id, report_id, kind, version, base_version, body)
     VALUES ($1, $2, $3::inventory_report_kind, $4, $5, $6) ON CONFLICT (report_id) DO NOTHING`,
    [row.deviceId, row.reportId, row.kind, row.version, row.baseVersion, row.body],
  );
}

/**
 * Lets the caller's transaction commit without waiting for its WAL flush. Safe for a loader batch:
 * its inbox rows leave in the same transaction, so a batch lost in a crash finds its reports
 * still in the (durably written) inbox and loads again.
 */
export async function commitWithoutFlush(client: pg.ClientBase): Promise<void> {
  await client.query(`SET LOCAL synchronous_commit = off`);
}

/** A device's inventory as the loader decides on it. */
export interface LoadedInventoryState {
  version: number;
  resync: boolean;
  /** When the newest report loaded was collected (the later of the hardware and software inventory times); null before any. */
  collectedAt: Date | null;
}

/** The inventory state of the devices, locked until the caller's transaction ends (in id order, so loaders never deadlock). */
export async function lockDevices(client: pg.ClientBase, deviceIds: readonly number[]): Promise<Map<number, LoadedInventoryState>> {
  const { rows } = await client.query<{ id: number } & LoadedInventoryState>(
    `SELECT id, inventory_version AS version, inventory_resync AS resync,
            greatest(last_hw_inventory_at, last_sw_inventory_at) AS "collectedAt"
       FROM device WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE`,
    [deviceIds],
  );
  return new Map(rows.map((r) => [r.id, { version: r.version, resync: r.resync, collectedAt: r.collectedAt }]));
}

/** Which of these reports were loaded before. */
export async function loadedReportIds(client: pg.ClientBase, reportIds: readonly string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ id: string }>(`SELECT report_id::text AS id FROM inventory_report WHERE report_id = ANY($1::uuid[])`, [
    reportIds,
  ]);
  return new Set(rows.map((r) => r.id));
}

/**
 * Product ids of package identities, inserting those new to the site first (in autocommit, so a
 * batch that rolls back leaves the cache right). Returns every identity asked for.
 */
export async function ensureProducts(db: pg.Pool, keys: readonly SoftwareKey[], source: string): Promise<Map<string, number>> {
  if (!keys.length) return new Map();
  const names = keys.map((k) => k[0]);
  const versions = keys.map((k) => k[1]);
  const arches = keys.map((k) => k[2]);
  // Sorted, so two loaders inserting overlapping products take their locks in one order.
  await db.query(
    `INSERT INTO software_product (name, version, arch, source)
     SELECT n, v, a, $4 FROM unnest($1::text[], $2::text[], $3::text[]) u(n, v, a)
      WHERE NOT EXISTS (SELECT 1 FROM software_product p WHERE p.name = u.n AND p.version = u.v AND p.arch = u.a)
      ORDER BY n, v, a
     ON CONFLICT (name, version, arch) DO NOTHING`,
    [names, versions, arches, source],
  );
  return findProducts(db, keys);
}

/** Product ids of package identities the site knows. */
export async function findProducts(db: Db, keys: readonly SoftwareKey[]): Promise<Map<string, number>> {
  if (!keys.length) return new Map();
  const { rows } = await db.query<{ id: number; name: string; version: string; arch: string }>(
    `SELECT p.id, p.name, p.version, p.arch FROM software_product p
       JOIN unnest($1::text[], $2::text[], $3::text[]) u(n, v, a) ON p.name = u.n AND p.version = u.v AND p.arch = u.a`,
    [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
  );
  return new Map(rows.map((r) => [`${r.name}\u0000${r.version}\u0000${r.arch}`, r.id]));
}

/** The packages the devices have now. */
export async function currentSoftware(client: pg.ClientBase, deviceIds: readonly number[]): Promise<Map<number, PackageRef[]>> {
  const result = new Map<number, PackageRef[]>(deviceIds.map((id) => [id, []]));
  if (!deviceIds.length) return result;
  const { rows } = await client.query<{ device_id: number; name: string; version: string; arch: string }>(
    `SELECT s.device_id, p.name, p.version, p.arch FROM device_software s JOIN software_product p ON p.id = s.product_id
      WHERE s.device_id = ANY($1::int[])`,
    [deviceIds],
  );
  for (const r of rows) result.get(r.device_id)!.push({ name: r.name, version: r.version, arch: r.arch });
  return result;
}

/** The hardware classes the devices have now. */
export async function currentHardware(client: pg.ClientBase, deviceIds: readonly number[]): Promise<Map<number, Map<string, HardwareInstance[]>>> {
  const result = new Map<number, Map<string, HardwareInstance[]>>(deviceIds.map((id) => [id, new Map()]));
  if (!deviceIds.length) return result;
  const { rows } = await client.query<{ device_id: number; class_name: string; instances: HardwareInstance[] }>(
    `SELECT device_id, class_name, instances FROM device_hardware_class WHERE device_id = ANY($1::int[])`,
    [deviceIds],
  );
  for (const r of rows) result.get(r.device_id)!.set(r.class_name, r.instances);
  return result;
}

/** Each device's package count as its last loaded report recorded it (null when unknown). */
export async function lastSoftwareCounts(client: pg.ClientBase, deviceIds: readonly number[]): Promise<Map<number, number | null>> {
  if (!deviceIds.length) return new Map();
  const { rows } = await client.query<{ device_id: number; n: number | null }>(
    `SELECT d.id AS device_id, (SELECT r.software_count FROM inventory_report r WHERE r.device_id = d.id ORDER BY r.id DESC LIMIT 1) AS n
       FROM unnest($1::int[]) d(id)`,
    [deviceIds],
  );
  return new Map(rows.map((r) => [r.device_id, r.n]));
}

/** Package counts counted row by row, for devices whose last report did not record one. */
export async function countSoftware(client: pg.ClientBase, deviceIds: readonly number[]): Promise<Map<number, number>> {
  if (!deviceIds.length) return new Map();
  const { rows } = await client.query<{ device_id: number; n: number }>(
    `SELECT device_id, count(*)::int AS n FROM device_software WHERE device_id = ANY($1::int[]) GROUP BY device_id`,
    [deviceIds],
  );
  return new Map(rows.map((r) => [r.device_id, r.n]));
}

/** Removes every package row of the devices (a full report replaces them). */
export async function deleteDeviceSoftware(client: pg.ClientBase, deviceIds: readonly number[]): Promise<void> {
  if (deviceIds.length) await client.query(`DELETE FROM device_software WHERE device_id = ANY($1::int[])`, [deviceIds]);
}

/** The rows of full reports, streamed with COPY: (device, product, install date). Ids and ISO dates need no escaping. */
export async function copyDeviceSoftware(
  client: pg.ClientBase,
  devices: readonly { deviceId: number; productIds: readonly number[]; installedOn: readonly (string | null)[] }[],
): Promise<void> {
  if (!devices.some((d) => d.productIds.length)) return;
  function* lines() {
    for (const d of devices) {
      const prefix = `${d.deviceId}\t`;
      let chunk = '';
      for (let i = 0; i < d.productIds.length; i++) chunk += `${prefix}${d.productIds[i]}\t${d.installedOn[i] ?? '\\N'}\n`;
      if (chunk) yield chunk;
    }
  }
  await pipeline(Readable.from(lines()), client.query(copyFrom(`COPY device_software (device_id, product_id, installed_on) FROM STDIN`)));
}

/** Removes single package rows; returns how many each device lost. */
export async function deleteSoftwareRows(
  client: pg.ClientBase,
  deviceIds: readonly number[],
  productIds: readonly number[],
): Promise<Map<number, number>> {
  if (!deviceIds.length) return new Map();
  const { rows } = await client.query<{ device_id: number; n: number }>(
    `WITH gone AS (
       DELETE FROM device_software s USING unnest($1::int[], $2::int[]) r(device_id, product_id)
        WHERE s.device_id = r.device_id AND s.product_id = r.product_id RETURNING s.device_id)
     SELECT device_id, count(*)::int AS n FROM gone GROUP BY device_id`,
    [deviceIds, productIds],
  );
  return new Map(rows.map((r) => [r.device_id, r.n]));
}

/** Adds single package rows (one already there stays); returns how many each device gained. */
export async function insertSoftwareRows(
  client: pg.ClientBase,
  deviceIds: readonly number[],
  productIds: readonly number[],
  installedOn: readonly (string | null)[],
): Promise<Map<number, number>> {
  if (!deviceIds.length) return new Map();
  const { rows } = await client.query<{ device_id: number; n: number }>(
    `WITH added AS (
       INSERT INTO device_software (device_id, product_id, installed_on)
       SELECT * FROM unnest($1::int[], $2::int[], $3::date[]) ON CONFLICT (device_id, product_id) DO NOTHING RETURNING device_id)
     SELECT device_id, count(*)::int AS n FROM added GROUP BY device_id`,
    [deviceIds, productIds, installedOn],
  );
  return new Map(rows.map((r) => [r.device_id, r.n]));
}

/**
 * Hardware classes: every class of `replaceDevices` goes first (a full report replaces them all),
 * then `removed` classes, then `upserts` are written whole.
 */
export async function writeHardware(
  client: pg.ClientBase,
  changes: {
    replaceDevices: readonly number[];
    removed: readonly { deviceId: number; className: string }[];
    upserts: readonly { deviceId: number; className: string; instances: readonly HardwareInstance[] }[];
    at: Date;
  },
): Promise<void> {
  if (changes.replaceDevices.length)
    await client.query(`DELETE FROM device_hardware_class WHERE device_id = ANY($1::int[])`, [changes.replaceDevices]);
  if (changes.removed.length) {
    await client.query(
      `DELETE FROM device_hardware_class h USING unnest($1::int[], $2::text[]) r(device_id, class_name)
        WHERE h.device_id = r.device_id AND h.class_name = r.class_name`,
      [changes.removed.map((r) => r.deviceId), changes.removed.map((r) => r.className)],
    );
  }
  if (changes.upserts.length) {
    await client.query(
      `INSERT INTO device_hardware_class (device_id, class_name, instances, updated_at)
       SELECT d, c, i::jsonb, $4 FROM unnest($1::int[], $2::text[], $3::text[]) u(d, c, i)
       ON CONFLICT (device_id, class_name) DO UPDATE SET instances = EXCLUDED.instances, updated_at = EXCLUDED.updated_at`,
      [
        changes.upserts.map((u) => u.deviceId),
        changes.upserts.map((u) => u.className),
        changes.upserts.map((u) => JSON.stringify(u.instances)),
        changes.at,
      ],
    );
  }
}

/** What loading a report changes on its device row; undefined leaves a column as it is. */
export interface DeviceInventoryUpdate {
  deviceId: number;
  version?: number;
  resync?: boolean;
  hwAt?: Date;
  swAt?: Date;
  system?: { manufacturer: string | null; model: string | null; serialNumber: string | null };
  memoryMb?: number | null;
  diskFreeMb?: number | null;
  os?: { name: string; version: string };
}

/** One statement for every device of a batch. */
export async function updateDevices(client: pg.ClientBase, updates: readonly DeviceInventoryUpdate[], at: Date): Promise<void> {
  if (!updates.length) return;
  const col = <T>(pick: (u: DeviceInventoryUpdate) => T | undefined) => updates.map((u) => pick(u) ?? null);
  const has = (pick: (u: DeviceInventoryUpdate) => unknown) => updates.map((u) => pick(u) !== undefined);
  await client.query(
    `UPDATE device d SET
        inventory_version = coalesce(u.version, d.inventory_version),
        inventory_resync = coalesce(u.resync, d.inventory_resync),
        last_hw_inventory_at = coalesce(u.hw_at, d.last_hw_inventory_at),
        last_sw_inventory_at = coalesce(u.sw_at, d.last_sw_inventory_at),
        manufacturer = CASE WHEN u.has_system THEN u.manufacturer ELSE d.manufacturer END,
        model = CASE WHEN u.has_system THEN u.model ELSE d.model END,
        serial_number = CASE WHEN u.has_system THEN u.serial ELSE d.serial_number END,
        memory_mb = CASE WHEN u.has_memory THEN u.memory_mb ELSE d.memory_mb END,
        disk_free_mb = CASE WHEN u.has_disk THEN u.disk_free_mb ELSE d.disk_free_mb END,
        os_name = coalesce(u.os_name, d.os_name),
        os_version = coalesce(u.os_version, d.os_version),
        updated_at = $16
       FROM unnest($1::int[], $2::int[], $3::bool[], $4::timestamptz[], $5::timestamptz[], $6::bool[], $7::text[], $8::text[], $9::text[],
                   $10::bool[], $11::int[], $12::bool[], $13::int[], $14::text[], $15::text[])
            u(id, version, resync, hw_at, sw_at, has_system, manufacturer, model, serial, has_memory, memory_mb, has_disk, disk_free_mb,
              os_name, os_version)
      WHERE d.id = u.id`,
    [
      col((u) => u.deviceId),
      col((u) => u.version),
      col((u) => u.resync),
      col((u) => u.hwAt),
      col((u) => u.swAt),
      has((u) => u.system),
      col((u) => u.system?.manufacturer),
      col((u) => u.system?.model),
      col((u) => u.system?.serialNumber),
      has((u) => u.memoryMb),
      col((u) => u.memoryMb),
      has((u) => u.diskFreeMb),
      col((u) => u.diskFreeMb),
      col((u) => u.os?.name),
      col((u) => u.os?.version),
      at,
    ],
  );
}

/** A loaded report in the history. */
export interface InventoryReportRow {
  deviceId: number;
  reportId: string;
  kind: 'FULL' | 'DELTA';
  version: number;
  collectedAt: Date;
  changes: unknown;
  softwareCount: number | null;
}

export async function insertReports(client: pg.ClientBase, rows: readonly InventoryReportRow[], at: Date): Promise<void> {
  if (!rows.length) return;
  await client.query(
    `INSERT INTO inventory_report (device_id, report_id, kind, version, collected_at, loaded_at, changes, software_count)
     SELECT d, r, k::inventory_report_kind, v, c, $8, ch::jsonb, n
       FROM unnest($1::int[], $2::uuid[], $3::text[], $4::int[], $5::timestamptz[], $6::text[], $7::int[]) u(d, r, k, v, c, ch, n)`,
    [
      rows.map((r) => r.deviceId),
      rows.map((r) => r.reportId),
      rows.map((r) => r.kind),
      rows.map((r) => r.version),
      rows.map((r) => r.collectedAt),
      rows.map((r) => JSON.stringify(r.changes)),
      rows.map((r) => r.softwareCount),
      at,
    ],
  );
}
