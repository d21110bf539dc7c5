import { z } from 'zod';
import { int4, int4Id, rawText, safeIsoString } from '../validation/primitives';

/**
 * Inventory and heartbeat discovery between the agent and a management point.
 *
 * The agent POSTs an InventoryReport to /api/mp/inventory (optionally gzip-encoded). Its first
 * report, and any after the site asked for a resync, is `full`: every hardware class and every
 * installed package. Later reports are `delta`s against `baseVersion`, the version the site last
 * acknowledged: only the hardware classes that changed (each class whole) and the package rows
 * added or removed. Versions count up per device, one per report.
 *
 * Answers:
 * - 202 `{ status: 'accepted', version }` — stored; the agent may base its next delta on it.
 * - 200 `{ status: 'duplicate', version }` — that reportId was stored before (a resend).
 * - 409 `{ status: 'resync', siteVersion, message }` — a delta whose base the site does not hold;
 *   the agent drops its unsent deltas and sends a full report.
 * - 400 naming the field; 401 bad credential; 403 `deviceId` is another device's; 413 too large.
 *
 * Policy also carries `inventory.resync` when the loader refused a delta it had accepted.
 */

/** Hardware classes an agent reports; each holds a list of instances (a flat record each). */
export const hardwareClassNames = [
  'system',
  'bios',
  'operatingSystem',
  'processor',
  'memory',
  'disk',
  'fileSystem',
  'networkAdapter',
  'loggedOnUser',
] as const;
export const hardwareClassNameSchema = z.enum(hardwareClassNames);
export type HardwareClassName = z.infer<typeof hardwareClassNameSchema>;

/** One instance of a hardware class: property name → text, number, boolean or null. */
export const hardwareInstanceSchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'property names must be letters and digits, at most 64'),
    z.union([rawText(1024), z.number().finite(), z.boolean(), z.null()], { error: 'must be text, a finite number, true, false or null' }),
  )
  .refine((r) => Object.keys(r).length <= 64, 'must have at most 64 properties');
export type HardwareInstance = z.infer<typeof hardwareInstanceSchema>;

export const MAX_CLASS_INSTANCES = 1024;
export const hardwareClassesSchema = z.partialRecord(
  hardwareClassNameSchema,
  z.array(hardwareInstanceSchema).max(MAX_CLASS_INSTANCES, `must have at most ${MAX_CLASS_INSTANCES} instances`),
);
export type HardwareClasses = z.infer<typeof hardwareClassesSchema>;

/** Software sources the agent knows. */
export const softwareSourceSchema = z.enum(['dpkg', 'rpm']);
export type SoftwareSource = z.infer<typeof softwareSourceSchema>;

const packageName = rawText(256).min(1, 'must not be empty');
const packageVersion = rawText(256);
const packageArch = rawText(32);
/** A real calendar date, YYYY-MM-DD, from the year 1 on (PostgreSQL has no year 0). */
export function isInstallDate(d: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}$/.test(d) &&
    d >= '0001-01-01' &&
    !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
    new Date(`${d}T00:00:00Z`).toISOString().startsWith(d)
  );
}

/** A calendar date, YYYY-MM-DD, or null when the package manager does not know it. */
const installDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine(isInstallDate, 'must be a real date from the year 1 on')
  .nullable();

/**
 * Package managers a row can name for itself, beside the report's own (dpkg or rpm): snaps are
 * installed next to either, or on a machine with neither.
 */
export const rowSourceSchema = z.enum(['snap'], { error: 'must be "snap", or left out for the report\'s own source' });
export type RowSource = z.infer<typeof rowSourceSchema>;

/**
 * One installed package as a tuple — [name, version, architecture, install date] — since a full
 * report carries about 1,500 of them, and a fifth element when it comes from another package
 * manager than the report's `source` (a snap). A package is identified by all three of name,
 * version and architecture (rpm keeps several kernels of one name installed at once).
 */
export const softwareRowSchema = z.tuple([packageName, packageVersion, packageArch, installDate, rowSourceSchema.optional()]);
export type SoftwareRow = z.infer<typeof softwareRowSchema>;
/** A package's identity: [name, version, architecture]. */
export const softwareKeySchema = z.tuple([packageName, packageVersion, packageArch]);
export type SoftwareKey = z.infer<typeof softwareKeySchema>;

export const MAX_SOFTWARE_ROWS = 20_000;
const softwareRows = z.array(softwareRowSchema).max(MAX_SOFTWARE_ROWS, `must have at most ${MAX_SOFTWARE_ROWS} packages`);

const reportHeader = {
  /** The agent's id for this report; a resend carries the same id. */
  reportId: z.uuid('must be a UUID'),
  /** The device the agent is; must be the device whose credential sent the report. */
  deviceId: int4Id(),
  version: int4(1),
  collectedAt: safeIsoString(),
};

export const fullInventoryReportSchema = z.object({
  kind: z.literal('full'),
  ...reportHeader,
  hardware: hardwareClassesSchema,
  software: z.object({ source: softwareSourceSchema.nullable(), packages: softwareRows }),
});

export const deltaInventoryReportSchema = z
  .object({
    kind: z.literal('delta'),
    ...reportHeader,
    baseVersion: int4(1),
    /** Only the classes that changed, each whole. */
    hardware: hardwareClassesSchema.optional(),
    software: z
      .object({ source: softwareSourceSchema.nullable(), added: softwareRows, removed: z.array(softwareKeySchema).max(MAX_SOFTWARE_ROWS) })
      .optional(),
  })
  .refine((r) => r.baseVersion < r.version, { path: ['baseVersion'], message: 'must be lower than version' });

export const inventoryReportSchema = z.discriminatedUnion('kind', [fullInventoryReportSchema, deltaInventoryReportSchema]);
export type InventoryReport = z.infer<typeof inventoryReportSchema>;
export type FullInventoryReport = z.infer<typeof fullInventoryReportSchema>;
export type DeltaInventoryReport = z.infer<typeof deltaInventoryReportSchema>;

/** Largest inventory request body, after decompression. */
export const MAX_INVENTORY_BYTES = 8 * 1024 * 1024;

export const inventoryAnswerSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('accepted'), version: z.number().int() }),
  z.object({ status: z.literal('duplicate'), version: z.number().int() }),
  z.object({ status: z.literal('resync'), siteVersion: z.number().int(), message: z.string() }),
]);
export type InventoryAnswer = z.infer<typeof inventoryAnswerSchema>;

const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address');
// An address the device's inet-read column can hold (collection rules cast it), with an optional
// zone (`fe80::1%eth0`), which inet cannot hold and the site leaves out.
const ipv6 = z
  .string()
  .regex(/^[0-9A-Fa-f:.]{2,45}(%[A-Za-z0-9_.-]{1,32})?$/, 'must be an IPv6 address')
  .refine((a) => z.ipv6().safeParse(withoutZone(a)).success, 'must be an IPv6 address');

/** An IPv6 address without its zone (`fe80::1%eth0` → `fe80::1`). */
export function withoutZone(address: string): string {
  const zone = address.indexOf('%');
  return zone < 0 ? address : address.slice(0, zone);
}
const mac = z.string().regex(/^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$/, 'must be a MAC address like 00:11:22:AA:BB:CC');

/**
 * Heartbeat discovery: the discovery data record the agent POSTs to /api/mp/heartbeat at start and
 * on its cycle. The site updates the device from it and counts it as client activity.
 * Answer: 200 `{ status: 'recorded' }`; 400 naming the field; 401; 403 another device's id.
 */
export const discoveryRecordSchema = z.object({
  deviceId: int4Id(),
  name: z
    .string()
    .min(1, 'is required')
    .max(63, 'must be at most 63 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, 'must be a computer name: letters, digits and hyphens'),
  domain: rawText(255).nullable(),
  fqdn: rawText(255).nullable(),
  ipAddresses: z.array(z.union([ipv4, ipv6], { error: 'must be an IPv4 or IPv6 address' })).max(64),
  macAddresses: z.array(mac).max(64),
  osName: rawText(128).min(1, 'is required'),
  osVersion: rawText(64).min(1, 'is required'),
  osKind: z.enum(['WORKSTATION', 'SERVER']),
  agentVersion: rawText(32).min(1, 'is required'),
  sentAt: safeIsoString(),
});
export type DiscoveryRecord = z.infer<typeof discoveryRecordSchema>;
