import type { HardwareClasses, HardwareInstance } from '../protocol/inventory.schema';
import type { InventoryChanges } from './inventory-changes.schema';

/** A package by identity. */
export interface PackageRef {
  name: string;
  version: string;
  arch: string;
}

type HardwareChange = InventoryChanges['hardware'][number];

/**
 * What a set of removed and added packages means to a reader: a package of the same name and
 * architecture removed in one version and added in another was upgraded (or downgraded), the rest
 * were added or removed. Several versions of one name and architecture (rpm's kernels) pair up in
 * version order; what is left over stays added or removed.
 */
export function pairUpgrades(added: readonly PackageRef[], removed: readonly PackageRef[]): InventoryChanges['software'] {
  const key = (p: PackageRef) => `${p.name}\u0000${p.arch}`;
  const removedByKey = new Map<string, PackageRef[]>();
  for (const p of [...removed].sort(byVersion)) {
    const list = removedByKey.get(key(p));
    if (list) list.push(p);
    else removedByKey.set(key(p), [p]);
  }
  const upgraded: InventoryChanges['software']['upgraded'] = [];
  const plainAdded: PackageRef[] = [];
  for (const p of [...added].sort(byVersion)) {
    const from = removedByKey.get(key(p))?.shift();
    if (from) upgraded.push({ name: p.name, arch: p.arch, from: from.version, to: p.version });
    else plainAdded.push(p);
  }
  const plainRemoved = [...removedByKey.values()].flat();
  const order = (a: { name: string; arch: string }, b: { name: string; arch: string }) => cmp(a.name, b.name) || cmp(a.arch, b.arch);
  return {
    added: plainAdded.sort((a, b) => order(a, b) || byVersion(a, b)),
    removed: plainRemoved.sort((a, b) => order(a, b) || byVersion(a, b)),
    upgraded: upgraded.sort(order),
  };
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byVersion = (a: PackageRef, b: PackageRef) => cmp(a.version, b.version);

/** The packages of `after` not in `before` and those of `before` not in `after`, by identity. */
export function diffPackages(before: readonly PackageRef[], after: readonly PackageRef[]): { added: PackageRef[]; removed: PackageRef[] } {
  const id = (p: PackageRef) => `${p.name}\u0000${p.version}\u0000${p.arch}`;
  const had = new Set(before.map(id));
  const has = new Set(after.map(id));
  return { added: after.filter((p) => !had.has(id(p))), removed: before.filter((p) => !has.has(id(p))) };
}

/** A hardware instance's content regardless of property order. */
function canonical(instances: readonly HardwareInstance[]): string {
  return JSON.stringify(
    instances.map((i) =>
      Object.keys(i)
        .sort()
        .map((k) => [k, i[k]]),
    ),
  );
}

/**
 * Hardware classes that changed: `after` holds each reported class whole; with `replaceAll` (a
 * full report) a class it lacks was removed. A class reported with no instances counts as removed.
 */
export function diffHardware(
  before: ReadonlyMap<string, readonly HardwareInstance[]>,
  after: HardwareClasses,
  replaceAll: boolean,
): HardwareChange[] {
  const changes: HardwareChange[] = [];
  const names = new Set([...Object.keys(after), ...(replaceAll ? before.keys() : [])]);
  for (const className of [...names].sort()) {
    const old = before.get(className) ?? [];
    const now = after[className as keyof HardwareClasses] ?? [];
    if (!old.length && !now.length) continue;
    const change = !old.length ? 'added' : !now.length ? 'removed' : canonical(old) !== canonical(now) ? 'changed' : null;
    if (change) changes.push({ className, change, before: old.length, after: now.length });
  }
  return changes;
}
