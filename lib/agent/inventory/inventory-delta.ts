import {
  hardwareClassNames,
  type HardwareClasses,
  type HardwareClassName,
  type HardwareInstance,
  type InventoryReport,
  type SoftwareKey,
  type SoftwareRow,
  type SoftwareSource,
} from '../../protocol/inventory.schema';

/**
 * What the site holds (or will hold once the reports already spooled are in): the inventory as
 * of `version`. The next delta is computed against it and names `version` as its base.
 */
export interface InventorySnapshot {
  version: number;
  hardware: HardwareClasses;
  software: { source: SoftwareSource | null; packages: SoftwareRow[] };
}

/** A new collection: hardware and/or software, whichever the cycle collected. */
export interface InventoryCollection {
  hardware?: { classes: HardwareClasses; failed: readonly HardwareClassName[] };
  software?: { source: SoftwareSource | null; packages: SoftwareRow[] };
}

export interface InventorySummary {
  kind: 'full' | 'delta';
  version: number;
  /** Hardware classes in the report: all of them for a full report, the changed ones for a delta. */
  hardwareClasses: number;
  packagesAdded: number;
  packagesRemoved: number;
  /** Packages installed after this report. */
  packages: number;
}

const canonical = (instances: readonly HardwareInstance[] | undefined): string =>
  JSON.stringify((instances ?? []).map((r) => Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));

/**
 * The hardware classes whose instances differ from `previous`, each whole. A class that could
 * not be collected (`failed`) is left out: the site keeps what it had rather than learning that
 * the machine lost its disks.
 */
export function changedHardwareClasses(
  previous: HardwareClasses,
  current: HardwareClasses,
  failed: readonly HardwareClassName[] = [],
): HardwareClasses {
  const changed: HardwareClasses = {};
  for (const name of hardwareClassNames) {
    if (failed.includes(name) || current[name] === undefined) continue;
    if (canonical(previous[name]) !== canonical(current[name])) changed[name] = current[name];
  }
  return changed;
}

const keyOf = (row: readonly [string, string, string, ...unknown[]]) => `${row[0]}\u0000${row[1]}\u0000${row[2]}`;

/** Packages added and removed, by [name, version, architecture]; a new version is one removed and one added. */
export function softwareChanges(previous: readonly SoftwareRow[], current: readonly SoftwareRow[]): { added: SoftwareRow[]; removed: SoftwareKey[] } {
  const before = new Set(previous.map(keyOf));
  const after = new Set(current.map(keyOf));
  return {
    added: current.filter((row) => !before.has(keyOf(row))),
    removed: previous.filter((row) => !after.has(keyOf(row))).map(([name, version, arch]): SoftwareKey => [name, version, arch]),
  };
}

/**
 * The next inventory report and the snapshot it leaves the site with. Without a base (the first
 * report, or after the site asked for a resync) it is `full`: every class (an uncollected one
 * empty) and every package. Otherwise a `delta` against the base: the changed classes of a
 * hardware collection, the packages added and removed of a software collection. A cycle that
 * found nothing new still sends its (empty) part, which tells the site the cycle ran.
 */
export function buildInventoryReport(options: {
  base: InventorySnapshot | null;
  collection: InventoryCollection;
  version: number;
  deviceId: number;
  reportId: string;
  collectedAt: Date;
}): { report: InventoryReport; snapshot: InventorySnapshot; summary: InventorySummary } {
  const { base, collection, version } = options;
  const header = { reportId: options.reportId, deviceId: options.deviceId, version, collectedAt: options.collectedAt.toISOString() };
  const software = collection.software ?? base?.software ?? { source: null, packages: [] };

  if (!base) {
    const hardware: HardwareClasses = {};
    if (collection.hardware) for (const name of hardwareClassNames) hardware[name] = collection.hardware.classes[name] ?? [];
    return {
      report: { kind: 'full', ...header, hardware, software: { source: software.source, packages: software.packages } },
      snapshot: { version, hardware, software },
      summary: {
        kind: 'full',
        version,
        hardwareClasses: Object.keys(hardware).length,
        packagesAdded: software.packages.length,
        packagesRemoved: 0,
        packages: software.packages.length,
      },
    };
  }

  if (version <= base.version) throw new Error(`report version ${version} must be above its base ${base.version}`);
  const report: Extract<InventoryReport, { kind: 'delta' }> = { kind: 'delta', ...header, baseVersion: base.version };
  const hardware = { ...base.hardware };
  let added = 0;
  let removed = 0;
  if (collection.hardware) {
    report.hardware = changedHardwareClasses(base.hardware, collection.hardware.classes, collection.hardware.failed);
    Object.assign(hardware, report.hardware);
  }
  if (collection.software) {
    const changes = softwareChanges(base.software.packages, collection.software.packages);
    report.software = { source: collection.software.source, ...changes };
    added = changes.added.length;
    removed = changes.removed.length;
  }
  return {
    report,
    snapshot: { version, hardware, software },
    summary: {
      kind: 'delta',
      version,
      hardwareClasses: Object.keys(report.hardware ?? {}).length,
      packagesAdded: added,
      packagesRemoved: removed,
      packages: software.packages.length,
    },
  };
}

/** "delta, 3 classes changed" / "full, 9 classes, 812 packages": how an inventory action describes its report. */
export function describeInventoryReport(summary: InventorySummary, part: 'hardware' | 'software'): string {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  if (summary.kind === 'full') return `full, ${n(summary.hardwareClasses, 'class', 'classes')}, ${n(summary.packages, 'package', 'packages')}`;
  if (part === 'hardware') return `delta, ${n(summary.hardwareClasses, 'class', 'classes')} changed`;
  return `delta, ${summary.packagesAdded} added, ${summary.packagesRemoved} removed`;
}
