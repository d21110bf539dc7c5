import type { HardwareClasses, HardwareInstance } from '../protocol/inventory.schema';

/**
 * The device columns a report's hardware sets, by group: a group is present only when the report
 * holds its class (a delta leaves the others as they were). Within a group, a value the class
 * does not give is stored as unknown (null).
 */
export interface DeviceSummary {
  system?: { manufacturer: string | null; model: string | null; serialNumber: string | null };
  memoryMb?: number | null;
  diskFreeMb?: number | null;
  os?: { name: string; version: string };
}

const MB = 1024 * 1024;
const INT4_MAX = 2_147_483_647;

function textOf(instance: HardwareInstance | undefined, ...names: string[]): string | null {
  for (const name of names) {
    const value = instance?.[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return null;
}

function numberOf(instance: HardwareInstance | undefined, name: string): number | null {
  const value = instance?.[name];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Bytes as whole megabytes an int column holds. */
function megabytes(bytes: number | null): number | null {
  return bytes === null ? null : Math.min(INT4_MAX, Math.floor(bytes / MB));
}

/**
 * Reads the summary columns from hardware classes: manufacturer, model and serial number from
 * `system`; memory from `memory` (its `total`, or the sum of module `size`s); free space of the
 * file system mounted at "/" from `fileSystem` (`available`, else `size` − `used`); OS name and
 * version from `operatingSystem` (`distro`/`name`, `release`/`version`). Sizes are in bytes.
 */
export function extractSummary(hardware: HardwareClasses): DeviceSummary {
  const summary: DeviceSummary = {};
  if (hardware.system) {
    const s = hardware.system[0];
    summary.system = {
      manufacturer: textOf(s, 'manufacturer'),
      model: textOf(s, 'model'),
      serialNumber: textOf(s, 'serial', 'serialNumber'),
    };
  }
  if (hardware.memory) {
    const total = hardware.memory.map((m) => numberOf(m, 'total')).find((t) => t !== null);
    const sizes = hardware.memory.map((m) => numberOf(m, 'size')).filter((s): s is number => s !== null);
    summary.memoryMb = megabytes(total ?? (sizes.length ? sizes.reduce((a, b) => a + b, 0) : null));
  }
  if (hardware.fileSystem) {
    const root = hardware.fileSystem.find((f) => f.mount === '/');
    const available = numberOf(root, 'available');
    const size = numberOf(root, 'size');
    const used = numberOf(root, 'used');
    summary.diskFreeMb = megabytes(available ?? (size !== null && used !== null ? Math.max(0, size - used) : null));
  }
  const os = hardware.operatingSystem?.[0];
  const name = textOf(os, 'distro', 'name');
  const version = textOf(os, 'release', 'version');
  // The device's OS columns always hold a value: only a complete pair replaces them.
  if (name && version) summary.os = { name, version };
  return summary;
}
