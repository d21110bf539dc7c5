// Test fixture: writes inventory rows (products, installed software, hardware classes, reports,
// the device's inventory summary) with plain SQL, the way the inventory loader leaves them, so
// Resource Explorer's read side is tested without depending on the loader.
import type pg from 'pg';
import type { InventoryChanges } from '@/lib/inventory/inventory-changes.schema';
import { pool } from '@/lib/db/pool';

export interface FixturePackage {
  name: string;
  version: string;
  arch?: string;
  source?: string;
  /** YYYY-MM-DD or null. */
  installedOn?: string | null;
}

/** Ids of `packages` in software_product, inserting the ones missing. */
export async function insertProducts(packages: FixturePackage[], db: pg.Pool = pool()): Promise<number[]> {
  const { rows } = await db.query<{ id: number; ord: string }>(
    `WITH wanted AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS w(name, version, arch, source, ord)
     ), inserted AS (
       INSERT INTO software_product (name, version, arch, source)
       SELECT DISTINCT name, version, arch, source FROM wanted
       ON CONFLICT (name, version, arch) DO NOTHING
       RETURNING id, name, version, arch
     )
     SELECT coalesce(i.id, p.id) AS id, w.ord FROM wanted w
       LEFT JOIN inserted i USING (name, version, arch)
       LEFT JOIN software_product p ON p.name = w.name AND p.version = w.version AND p.arch = w.arch
      ORDER BY w.ord`,
    [packages.map((p) => p.name), packages.map((p) => p.version), packages.map((p) => p.arch ?? 'amd64'), packages.map((p) => p.source ?? 'dpkg')],
  );
  return rows.map((r) => r.id);
}

/** Replaces the device's installed software with `packages`. */
export async function setInstalledSoftware(deviceId: number, packages: FixturePackage[], db: pg.Pool = pool()): Promise<void> {
  const ids = await insertProducts(packages, db);
  await db.query(`DELETE FROM device_software WHERE device_id = $1`, [deviceId]);
  await db.query(
    `INSERT INTO device_software (device_id, product_id, installed_on)
     SELECT $1, product_id, installed_on FROM unnest($2::int[], $3::date[]) AS t(product_id, installed_on)`,
    [deviceId, ids, packages.map((p) => p.installedOn ?? null)],
  );
}

/** Replaces the device's hardware classes. */
export async function setHardwareClasses(
  deviceId: number,
  classes: Record<string, Record<string, string | number | boolean | null>[]>,
  db: pg.Pool = pool(),
): Promise<void> {
  await db.query(`DELETE FROM device_hardware_class WHERE device_id = $1`, [deviceId]);
  for (const [className, instances] of Object.entries(classes)) {
    await db.query(`INSERT INTO device_hardware_class (device_id, class_name, instances, updated_at) VALUES ($1, $2, $3::jsonb, now())`, [
      deviceId,
      className,
      JSON.stringify(instances),
    ]);
  }
}

/** Sets the inventory summary columns the loader keeps on the device. */
export async function setDeviceSummary(
  deviceId: number,
  summary: { manufacturer?: string; model?: string; serialNumber?: string; memoryMb?: number; diskFreeMb?: number; version?: number; at?: Date },
  db: pg.Pool = pool(),
): Promise<void> {
  await db.query(
    `UPDATE device SET manufacturer = $2, model = $3, serial_number = $4, memory_mb = $5, disk_free_mb = $6,
            inventory_version = $7, last_hw_inventory_at = $8, last_sw_inventory_at = $8
      WHERE id = $1`,
    [
      deviceId,
      summary.manufacturer ?? null,
      summary.model ?? null,
      summary.serialNumber ?? null,
      summary.memoryMb ?? null,
      summary.diskFreeMb ?? null,
      summary.version ?? 1,
      summary.at ?? new Date(),
    ],
  );
}

/** An InventoryChanges with only the parts given. */
export function changes(parts: {
  baseline?: boolean;
  hardware?: InventoryChanges['hardware'];
  added?: InventoryChanges['software']['added'];
  removed?: InventoryChanges['software']['removed'];
  upgraded?: InventoryChanges['software']['upgraded'];
}): InventoryChanges {
  return {
    baseline: parts.baseline ?? false,
    hardware: parts.hardware ?? [],
    software: { added: parts.added ?? [], removed: parts.removed ?? [], upgraded: parts.upgraded ?? [] },
  };
}

/** Inserts one loaded report; returns its inventory_report.id as text. */
export async function insertReport(
  deviceId: number,
  report: { kind: 'FULL' | 'DELTA'; version: number; collectedAt: Date; changes: InventoryChanges | unknown; softwareCount?: number | null },
  db: pg.Pool = pool(),
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO inventory_report (device_id, report_id, kind, version, collected_at, loaded_at, changes, software_count)
     VALUES ($1, gen_random_uuid(), $2::inventory_report_kind, $3, $4, $4::timestamptz + interval '5 seconds', $5::jsonb, $6)
     RETURNING id::text AS id`,
    [deviceId, report.kind, report.version, report.collectedAt, JSON.stringify(report.changes), report.softwareCount ?? null],
  );
  return rows[0].id;
}

/**
 * Fleet-sized software for plan tests: `products` shared products and, for every device in
 * `deviceIds`, `perDevice` of them, all in one statement.
 */
export async function fillFleetSoftware(options: { deviceIds: number[]; products: number; perDevice: number }, db: pg.Pool = pool()): Promise<void> {
  await db.query(
    `INSERT INTO software_product (name, version, arch, source)
     SELECT 'fleet-pkg-' || g, '1.' || (g % 7), 'amd64', 'dpkg' FROM generate_series(1, $1::int) g
     ON CONFLICT DO NOTHING`,
    [options.products],
  );
  await db.query(
    `INSERT INTO device_software (device_id, product_id, installed_on)
     SELECT d, p.id, date '2025-01-01' + (p.id % 300)
       FROM unnest($1::int[]) d
       CROSS JOIN LATERAL (
         SELECT id FROM software_product WHERE name LIKE 'fleet-pkg-%' ORDER BY (id * 7919 + d) % $2::int LIMIT $3::int
       ) p
     ON CONFLICT DO NOTHING`,
    [options.deviceIds, options.products, options.perDevice],
  );
  await db.query(`ANALYZE software_product`);
  await db.query(`ANALYZE device_software`);
}
