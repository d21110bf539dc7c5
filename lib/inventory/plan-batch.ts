import type { HardwareClasses, HardwareInstance, InventoryReport } from '../protocol/inventory.schema';
import { diffHardware, diffPackages, pairUpgrades, type PackageRef } from './diff-inventory';
import { extractSummary } from './extract-summary';
import type { InventoryChanges } from './inventory-changes.schema';
import type { DeviceInventoryUpdate, InventoryReportRow } from './loader-repo';

/** A report taken from the inbox and validated, its packages resolved to product ids. */
export interface ResolvedReport {
  inboxId: string;
  receivedAt: Date;
  report: InventoryReport;
  /** Full: the device's rows, each product once. Delta: the rows added. */
  productIds: number[];
  installedOn: (string | null)[];
  /** Delta: product ids removed (identities the site never knew are not installed anywhere, so left out). */
  removedIds: number[];
}

/** What the loader does with one report, given what the site holds for its device. */
export type LoadDecision =
  | { action: 'skip'; reason: 'loaded before' | 'device gone' | 'older than loaded' }
  | { action: 'refuse'; heldVersion: number }
  | { action: 'full'; baseline: boolean }
  | { action: 'delta' };

/**
 * A report loaded before is skipped (a batch run twice), as is one whose device was deleted, and
 * one both numbered and collected before the newest the site loaded (a report retried from
 * quarantine after newer ones loaded), which would roll the inventory back. A full report
 * replaces the device's inventory — its first is the baseline. A delta applies only on the
 * version the site loaded; otherwise the site asks the device for a full report.
 */
export function decideLoad(
  report: InventoryReport,
  device: { version: number; collectedAt?: Date | null } | undefined,
  loadedBefore: boolean,
): LoadDecision {
  if (loadedBefore) return { action: 'skip', reason: 'loaded before' };
  if (!device) return { action: 'skip', reason: 'device gone' };
  // Both, so an agent whose numbering went back (its state restored) or whose clock did is still loaded.
  if (report.version <= device.version && device.collectedAt && new Date(report.collectedAt) < device.collectedAt) {
    return { action: 'skip', reason: 'older than loaded' };
  }
  if (report.kind === 'full') return { action: 'full', baseline: device.version === 0 };
  if (report.baseVersion !== device.version) return { action: 'refuse', heldVersion: device.version };
  return { action: 'delta' };
}

/** What the site held for the devices that need it to tell what changed. */
export interface CurrentInventory {
  software: ReadonlyMap<number, readonly PackageRef[]>;
  hardware: ReadonlyMap<number, ReadonlyMap<string, readonly HardwareInstance[]>>;
}

/** Which devices' current software and hardware the changes need: those of a resync full report, and hardware for a delta that reports some. */
export function currentNeeded(decided: readonly { item: ResolvedReport; decision: LoadDecision }[]): { software: number[]; hardware: number[] } {
  const software: number[] = [];
  const hardware: number[] = [];
  for (const { item, decision } of decided) {
    if (decision.action === 'full' && !decision.baseline) {
      software.push(item.report.deviceId);
      hardware.push(item.report.deviceId);
    } else if (decision.action === 'delta' && item.report.hardware && Object.keys(item.report.hardware).length) {
      hardware.push(item.report.deviceId);
    }
  }
  return { software, hardware };
}

/** Every write of one batch, set by set. */
export interface BatchPlan {
  /**
   * Devices whose package rows and hardware classes a full report replaces: not a device's first
   * (version 0 means the site never loaded a report for it, so it holds nothing to delete — and a
   * fleet's first load, the largest, skips a delete per batch on a table that grows faster than its statistics).
   */
  replaceDevices: number[];
  copy: { deviceId: number; productIds: number[]; installedOn: (string | null)[] }[];
  removeRows: { deviceIds: number[]; productIds: number[] };
  addRows: { deviceIds: number[]; productIds: number[]; installedOn: (string | null)[] };
  hardwareRemoved: { deviceId: number; className: string }[];
  hardwareUpserts: { deviceId: number; className: string; instances: HardwareInstance[] }[];
  devices: DeviceInventoryUpdate[];
  /** History rows; a delta's software count is completed once its rows are written. */
  reports: InventoryReportRow[];
  refused: { report: InventoryReport; heldVersion: number }[];
  skipped: { report: InventoryReport; reason: string }[];
}

const refsOf = (rows: readonly (readonly [string, string, string, ...unknown[]])[]): PackageRef[] =>
  rows.map(([name, version, arch]) => ({ name, version, arch }));

/**
 * Plans a batch (one report per device) from the decisions: what to write, and each loaded
 * report's recorded changes — none listed for a baseline, the difference from what the site
 * held for a resync full report, and what a delta says for a delta (a removed and an added
 * package of one name and architecture reading as upgraded).
 */
export function planBatch(decided: readonly { item: ResolvedReport; decision: LoadDecision }[], current: CurrentInventory): BatchPlan {
  const plan: BatchPlan = {
    replaceDevices: [],
    copy: [],
    removeRows: { deviceIds: [], productIds: [] },
    addRows: { deviceIds: [], productIds: [], installedOn: [] },
    hardwareRemoved: [],
    hardwareUpserts: [],
    devices: [],
    reports: [],
    refused: [],
    skipped: [],
  };
  for (const { item, decision } of decided) {
    const { report } = item;
    const deviceId = report.deviceId;
    if (decision.action === 'skip') {
      plan.skipped.push({ report, reason: decision.reason });
      continue;
    }
    if (decision.action === 'refuse') {
      plan.refused.push({ report, heldVersion: decision.heldVersion });
      plan.devices.push({ deviceId, resync: true });
      continue;
    }
    // A client's clock may run ahead: an inventory never counts as newer than its arrival.
    const at = new Date(Math.min(new Date(report.collectedAt).getTime(), item.receivedAt.getTime()));
    const hardware: HardwareClasses = report.hardware ?? {};
    const before = current.hardware.get(deviceId) ?? new Map<string, HardwareInstance[]>();
    // A full report replaces every class, so a summary class it lacks was removed, as a delta's empty class is.
    const summarized: HardwareClasses = report.kind === 'full' ? { ...SUMMARY_CLASSES_REMOVED, ...hardware } : hardware;
    const update: DeviceInventoryUpdate = { deviceId, version: report.version, ...summaryColumns(summarized) };
    let changes: InventoryChanges;
    if (report.kind === 'full') {
      const baseline = decision.action === 'full' && decision.baseline;
      if (!baseline) plan.replaceDevices.push(deviceId);
      plan.copy.push({ deviceId, productIds: item.productIds, installedOn: item.installedOn });
      for (const [className, instances] of Object.entries(hardware)) {
        if (instances.length) plan.hardwareUpserts.push({ deviceId, className, instances });
      }
      Object.assign(update, { resync: false, hwAt: at, swAt: at });
      changes = baseline
        ? { baseline: true, hardware: [], software: { added: [], removed: [], upgraded: [] } }
        : (() => {
            const diff = diffPackages(current.software.get(deviceId) ?? [], refsOf(report.software.packages));
            return { baseline: false, hardware: diffHardware(before, hardware, true), software: pairUpgrades(diff.added, diff.removed) };
          })();
      plan.reports.push({
        deviceId,
        reportId: report.reportId,
        kind: 'FULL',
        version: report.version,
        collectedAt: new Date(report.collectedAt),
        changes,
        softwareCount: item.productIds.length,
      });
    } else {
      for (const [className, instances] of Object.entries(hardware)) {
        if (instances.length) plan.hardwareUpserts.push({ deviceId, className, instances });
        else plan.hardwareRemoved.push({ deviceId, className });
      }
      if (report.hardware) update.hwAt = at;
      if (report.software) {
        update.swAt = at;
        for (const id of item.removedIds) {
          plan.removeRows.deviceIds.push(deviceId);
          plan.removeRows.productIds.push(id);
        }
        for (let i = 0; i < item.productIds.length; i++) {
          plan.addRows.deviceIds.push(deviceId);
          plan.addRows.productIds.push(item.productIds[i]);
          plan.addRows.installedOn.push(item.installedOn[i]);
        }
      }
      changes = {
        baseline: false,
        hardware: diffHardware(before, hardware, false),
        software: pairUpgrades(refsOf(report.software?.added ?? []), refsOf(report.software?.removed ?? [])),
      };
      plan.reports.push({
        deviceId,
        reportId: report.reportId,
        kind: 'DELTA',
        version: report.version,
        collectedAt: new Date(report.collectedAt),
        changes,
        softwareCount: null,
      });
    }
    plan.devices.push(update);
  }
  return plan;
}

/** The classes the device's summary columns are read from, each reported with no instances. */
const SUMMARY_CLASSES_REMOVED: HardwareClasses = { system: [], memory: [], fileSystem: [] };

function summaryColumns(hardware: HardwareClasses): Partial<DeviceInventoryUpdate> {
  const summary = extractSummary(hardware);
  const columns: Partial<DeviceInventoryUpdate> = {};
  if (summary.system) columns.system = summary.system;
  if (summary.memoryMb !== undefined) columns.memoryMb = summary.memoryMb;
  if (summary.diskFreeMb !== undefined) columns.diskFreeMb = summary.diskFreeMb;
  if (summary.os) columns.os = summary.os;
  return columns;
}
