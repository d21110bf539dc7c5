import { z } from 'zod';
import type { hardwareClassChangeSchema, InventoryChanges } from '../inventory/inventory-changes.schema';
import { int4IdParam, int8IdParam, safeText } from '../validation/primitives';

/**
 * Resource Explorer: what the site holds about one device's inventory — its hardware classes,
 * its installed software and the history of the reports that built them. Read-only; the
 * inventory loader (lib/inventory) writes the tables.
 */

/** Path parameters of /api/devices/[id]/… */
export const deviceParamsSchema = z.object({ id: int4IdParam() });

export const softwareSortColumns = ['name', 'version', 'installedOn'] as const;
export type SoftwareSortColumn = (typeof softwareSortColumns)[number];
export const MAX_SOFTWARE_PAGE = 500;
// A device holds at most MAX_SOFTWARE_ROWS (20,000) packages; an offset past that reads nothing.
const MAX_SOFTWARE_OFFSET = 20_000;

/** Query string of GET /api/devices/[id]/software. */
export const listSoftwareQuerySchema = z.object({
  /** Packages whose name contains this text (any case). */
  search: safeText(100).optional(),
  sort: z.enum(softwareSortColumns).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be 0 or more')
    .max(MAX_SOFTWARE_OFFSET, `must be ${MAX_SOFTWARE_OFFSET} or less`)
    .default(0),
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(MAX_SOFTWARE_PAGE, `must be ${MAX_SOFTWARE_PAGE} or less`)
    .default(200),
});
export type ListSoftwareQuery = z.infer<typeof listSoftwareQuerySchema>;

export const MAX_REPORT_PAGE = 100;

/** Query string of GET /api/devices/[id]/inventory/reports: newest first, `before` a report id for the next page. */
export const listReportsQuerySchema = z.object({
  before: int8IdParam().optional(),
  limit: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be 1 or more')
    .max(MAX_REPORT_PAGE, `must be ${MAX_REPORT_PAGE} or less`)
    .default(50),
});
export type ListReportsQuery = z.infer<typeof listReportsQuerySchema>;

/** Query string of GET /api/devices/[id]/inventory/compare: two reports of the device, in either order. */
export const compareReportsQuerySchema = z.object({ from: int8IdParam(), to: int8IdParam() });
export type CompareReportsQuery = z.infer<typeof compareReportsQuerySchema>;

/** The device as Resource Explorer's header shows it. Dates are ISO strings. */
export interface DeviceInventoryHeader {
  id: number;
  name: string;
  domain: string | null;
  fqdn: string | null;
  siteCode: string;
  osName: string;
  osVersion: string;
  osKind: 'WORKSTATION' | 'SERVER';
  ipAddress: string | null;
  online: boolean;
  lastSeenAt: string | null;
  isDemo: boolean;
  manufacturer: string | null;
  model: string | null;
  serialNumber: string | null;
  memoryMb: number | null;
  diskFreeMb: number | null;
  lastHwInventoryAt: string | null;
  lastSwInventoryAt: string | null;
  /** The inventory version the site holds; 0 before the first report. */
  inventoryVersion: number;
  /** Whether any inventory (a report, a hardware class, a package) has been loaded for the device. */
  hasInventory: boolean;
}

/** One hardware class of the device as last reported. */
export interface HardwareClassView {
  className: string;
  instances: Record<string, string | number | boolean | null>[];
  updatedAt: string;
}

export interface DeviceInventory {
  device: DeviceInventoryHeader;
  /** In the order of lib/protocol hardwareClassNames; classes it does not name come last by name. */
  hardware: HardwareClassView[];
}

export interface InstalledSoftware {
  name: string;
  version: string;
  arch: string;
  source: string;
  /** YYYY-MM-DD, or null when the package manager does not know it. */
  installedOn: string | null;
}

export interface SoftwarePage {
  rows: InstalledSoftware[];
  /** Packages matching the search (all the device has without one). */
  total: number;
  offset: number;
  limit: number;
}

export interface InventoryReportView {
  /** inventory_report.id as decimal text (a bigint). */
  id: string;
  reportId: string;
  kind: 'FULL' | 'DELTA';
  version: number;
  collectedAt: string;
  loadedAt: string;
  softwareCount: number | null;
  /** What the report changed; null when the stored changes cannot be read. */
  changes: InventoryChanges | null;
}

export interface ReportHistoryPage {
  reports: InventoryReportView[];
  /** Pass as `before` for older reports; null when these are the oldest. */
  nextBefore: string | null;
}

export type HardwareClassChange = z.infer<typeof hardwareClassChangeSchema>;

/** What changed on the device from one report to another: the changes in between, collapsed. */
export interface CollapsedChanges {
  hardware: HardwareClassChange[];
  software: InventoryChanges['software'];
  /**
   * A baseline (a first report, where nothing is listed one by one) lies in the range, so the
   * changes before it are not known.
   */
  partial: boolean;
}

export interface ReportComparison {
  /** The older of the two reports, then the newer. */
  from: Omit<InventoryReportView, 'changes'>;
  to: Omit<InventoryReportView, 'changes'>;
  /** Reports after `from` up to and including `to` whose changes were combined. */
  reportsBetween: number;
  changes: CollapsedChanges;
}
