import type pg from 'pg';
import { pool } from '../db/pool';
import { inventoryChangesSchema } from '../inventory/inventory-changes.schema';
import { likeLiteral } from '../search/like-literal';
import type {
  DeviceInventoryHeader,
  HardwareClassView,
  InstalledSoftware,
  InventoryReportView,
  ListSoftwareQuery,
  SoftwareSortColumn,
} from './resource-explorer.schema';

/**
 * SQL of Resource Explorer. Every query reads one device through an index: device by its key,
 * device_hardware_class and device_software by their primary keys (device_id first),
 * inventory_report by (device_id, id). Plain pg: these are the pages the inventory benchmark
 * times, one statement each.
 */

type Db = pg.Pool | pg.ClientBase;

export async function findDeviceHeader(id: number, db: Db = pool()): Promise<DeviceInventoryHeader | null> {
  const { rows } = await db.query<DeviceInventoryHeader>(
    `SELECT d.id, d.name, d.domain, d.fqdn, s.code AS "siteCode", d.os_name AS "osName", d.os_version AS "osVersion",
            d.os_kind::text AS "osKind", d.ip_address AS "ipAddress", d.online,
            to_char(d.last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastSeenAt",
            d.is_demo AS "isDemo", d.manufacturer, d.model, d.serial_number AS "serialNumber",
            d.memory_mb AS "memoryMb", d.disk_free_mb AS "diskFreeMb",
            to_char(d.last_hw_inventory_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastHwInventoryAt",
            to_char(d.last_sw_inventory_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "lastSwInventoryAt",
            d.inventory_version AS "inventoryVersion",
            (d.inventory_version > 0
              OR EXISTS (SELECT 1 FROM inventory_report r WHERE r.device_id = d.id)
              OR EXISTS (SELECT 1 FROM device_hardware_class h WHERE h.device_id = d.id)
              OR EXISTS (SELECT 1 FROM device_software ds WHERE ds.device_id = d.id)) AS "hasInventory"
       FROM device d JOIN site s ON s.id = d.site_id
      WHERE d.id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

export async function findHardwareClasses(deviceId: number, db: Db = pool()): Promise<HardwareClassView[]> {
  const { rows } = await db.query<{ className: string; instances: unknown; updatedAt: string }>(
    `SELECT class_name AS "className", instances,
            to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
       FROM device_hardware_class WHERE device_id = $1`,
    [deviceId],
  );
  return rows.map((r) => ({
    className: r.className,
    // The loader stores each class as an array of flat records; anything else shows as no instances.
    instances: Array.isArray(r.instances) ? (r.instances as HardwareClassView['instances']).filter((i) => i !== null && typeof i === 'object') : [],
    updatedAt: r.updatedAt,
  }));
}

// Names sort without regard to case (rpm has "NetworkManager" beside "nano"). Each sort is total
// (product id last), so offset pages never overlap or skip a row.
const softwareOrder: Record<SoftwareSortColumn, Record<'asc' | 'desc', string>> = {
  name: {
    asc: 'lower(p.name) ASC, p.name ASC, p.version ASC, p.arch ASC, ds.product_id ASC',
    desc: 'lower(p.name) DESC, p.name DESC, p.version DESC, p.arch DESC, ds.product_id DESC',
  },
  version: {
    asc: 'p.version ASC, lower(p.name) ASC, p.name ASC, p.arch ASC, ds.product_id ASC',
    desc: 'p.version DESC, lower(p.name) DESC, p.name DESC, p.arch DESC, ds.product_id DESC',
  },
  // Packages without a known date come last either way.
  installedOn: {
    asc: 'ds.installed_on ASC NULLS LAST, lower(p.name) ASC, p.name ASC, p.version ASC, ds.product_id ASC',
    desc: 'ds.installed_on DESC NULLS LAST, lower(p.name) ASC, p.name ASC, p.version ASC, ds.product_id ASC',
  },
};

/**
 * The statement of one page of a device's software: the device's rows by the device_software
 * primary key, their products by software_product's, sorted and cut in the same statement, with
 * the number of matches beside each row. The device row comes along (LEFT JOIN LATERAL), so an
 * unknown device is told apart from one without matches without a second query.
 * Exported for the test that checks its plan.
 */
export function softwarePageStatement(deviceId: number, query: ListSoftwareQuery): { text: string; values: unknown[] } {
  const pattern = query.search ? `%${likeLiteral(query.search)}%` : null;
  return {
    text: `SELECT d.id AS "deviceId", sw.name, sw.version, sw.arch, sw.source, sw."installedOn", sw.total
             FROM device d
             LEFT JOIN LATERAL (
               SELECT p.name, p.version, p.arch, p.source,
                      to_char(ds.installed_on, 'YYYY-MM-DD') AS "installedOn",
                      count(*) OVER () AS total
                 FROM device_software ds
                 JOIN software_product p ON p.id = ds.product_id
                WHERE ds.device_id = d.id
                  AND ($2::text IS NULL OR p.name ILIKE $2::text)
                ORDER BY ${softwareOrder[query.sort][query.dir]}
                LIMIT $3 OFFSET $4
             ) sw ON true
            WHERE d.id = $1`,
    values: [deviceId, pattern, query.limit, query.offset],
  };
}

type SoftwarePageRow = { deviceId: number; total: string | null } & { [K in keyof InstalledSoftware]: InstalledSoftware[K] | null };

/** One page of the device's software and the number of matches; null when there is no such device. */
export async function findSoftwarePage(
  deviceId: number,
  query: ListSoftwareQuery,
  db: Db = pool(),
): Promise<{ rows: InstalledSoftware[]; total: number | null } | null> {
  const { rows } = await db.query<SoftwarePageRow>(softwarePageStatement(deviceId, query));
  if (rows.length === 0) return null;
  const found = rows.filter((r) => r.name !== null);
  return {
    rows: found.map((r) => ({ name: r.name!, version: r.version!, arch: r.arch!, source: r.source!, installedOn: r.installedOn })),
    // Past the last match no row carries the count; the caller counts apart in that rare case.
    total: found.length ? Number(found[0].total) : null,
  };
}

export async function countSoftware(deviceId: number, search: string | undefined, db: Db = pool()): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*) AS n FROM device_software ds JOIN software_product p ON p.id = ds.product_id
      WHERE ds.device_id = $1 AND ($2::text IS NULL OR p.name ILIKE $2::text)`,
    [deviceId, search ? `%${likeLiteral(search)}%` : null],
  );
  return Number(rows[0].n);
}

const REPORT_COLUMNS = `id::text AS id, report_id::text AS "reportId", kind::text AS kind, version,
  to_char(collected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "collectedAt",
  to_char(loaded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "loadedAt",
  software_count AS "softwareCount"`;

type ReportRow = Omit<InventoryReportView, 'changes'> & { changes: unknown };

function reportView(row: ReportRow): InventoryReportView {
  const parsed = inventoryChangesSchema.safeParse(row.changes);
  return { ...row, changes: parsed.success ? parsed.data : null };
}

/** The device's reports newest first, `limit` of them older than report `before` (all when unset). */
export async function findReports(deviceId: number, options: { before?: string; limit: number }, db: Db = pool()): Promise<InventoryReportView[]> {
  const { rows } = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS}, changes
       FROM inventory_report
      WHERE device_id = $1 AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY id DESC
      LIMIT $3`,
    [deviceId, options.before ?? null, options.limit],
  );
  return rows.map(reportView);
}

/** Two reports of the device, by id, without their changes; a report of another device is missing. */
export async function findReportHeads(deviceId: number, ids: string[], db: Db = pool()): Promise<Map<string, Omit<InventoryReportView, 'changes'>>> {
  const { rows } = await db.query<Omit<InventoryReportView, 'changes'>>(
    `SELECT ${REPORT_COLUMNS} FROM inventory_report WHERE device_id = $1 AND id = ANY($2::bigint[])`,
    [deviceId, ids],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** The changes of the device's reports after `afterId` up to and including `throughId`, oldest first. */
export async function findChangesBetween(deviceId: number, afterId: string, throughId: string, db: Db = pool()): Promise<InventoryReportView[]> {
  const { rows } = await db.query<ReportRow>(
    `SELECT ${REPORT_COLUMNS}, changes
       FROM inventory_report
      WHERE device_id = $1 AND id > $2::bigint AND id <= $3::bigint
      ORDER BY id`,
    [deviceId, afterId, throughId],
  );
  return rows.map(reportView);
}
