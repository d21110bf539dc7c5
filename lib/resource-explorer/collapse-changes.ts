import type { InventoryChanges } from '../inventory/inventory-changes.schema';
import { hardwareClassNames } from '../protocol/inventory.schema';
import type { CollapsedChanges, HardwareClassChange } from './resource-explorer.schema';

type PackageRef = InventoryChanges['software']['added'][number];

const SEP = '\u0000';
// NUL never occurs in stored text (lib/validation refuses it), so it separates key parts safely.
const packageKey = (name: string, version: string, arch: string) => [name, version, arch].join(SEP);

/**
 * What changed from one report to another, given the changes of every report after the first up
 * to and including the second, oldest first. Software is netted per package (name, version,
 * architecture): a package added then removed, or upgraded and downgraded again, disappears; an
 * upgrade 1→2 followed by 2→3 is one upgrade 1→3. A package of one name and architecture that
 * lost exactly one version and gained exactly one is an upgrade; several versions at once (rpm
 * keeps several kernels) stay as added and removed.
 *
 * Hardware is known per class by instance counts only: a class added then removed disappears,
 * otherwise it keeps its first `before` and last `after` — and a class changed and changed back
 * still counts as changed, since the reports do not say what its instances held.
 */
export function collapseChanges(changes: readonly InventoryChanges[]): CollapsedChanges {
  const net = new Map<string, { ref: PackageRef; count: number }>();
  const bump = (ref: PackageRef, by: number) => {
    const key = packageKey(ref.name, ref.version, ref.arch);
    const held = net.get(key);
    if (held) held.count += by;
    else net.set(key, { ref, count: by });
  };
  const hardware = new Map<string, { existedBefore: boolean; before: number; existsAfter: boolean; after: number }>();
  let partial = false;

  for (const report of changes) {
    // A baseline lists nothing one by one: what happened before it is unknown from here.
    if (report.baseline) partial = true;
    for (const ref of report.software.added) bump(ref, 1);
    for (const ref of report.software.removed) bump(ref, -1);
    for (const u of report.software.upgraded) {
      bump({ name: u.name, version: u.from, arch: u.arch }, -1);
      bump({ name: u.name, version: u.to, arch: u.arch }, 1);
    }
    for (const h of report.hardware) {
      const held = hardware.get(h.className);
      if (held) {
        held.existsAfter = h.change !== 'removed';
        held.after = h.after;
      } else {
        hardware.set(h.className, { existedBefore: h.change !== 'added', before: h.before, existsAfter: h.change !== 'removed', after: h.after });
      }
    }
  }

  // Group what is left by name and architecture to find the upgrades.
  const byPackage = new Map<string, { added: PackageRef[]; removed: PackageRef[] }>();
  for (const { ref, count } of net.values()) {
    if (count === 0) continue;
    const key = ref.name + SEP + ref.arch;
    const group = byPackage.get(key) ?? { added: [], removed: [] };
    (count > 0 ? group.added : group.removed).push(ref);
    byPackage.set(key, group);
  }
  const software: CollapsedChanges['software'] = { added: [], removed: [], upgraded: [] };
  for (const group of byPackage.values()) {
    if (group.added.length === 1 && group.removed.length === 1) {
      const [to] = group.added;
      const [from] = group.removed;
      software.upgraded.push({ name: to.name, arch: to.arch, from: from.version, to: to.version });
    } else {
      software.added.push(...group.added);
      software.removed.push(...group.removed);
    }
  }
  const byRef = (a: { name: string; arch: string; version?: string }, b: { name: string; arch: string; version?: string }) =>
    compareText(a.name, b.name) || compareText(a.arch, b.arch) || compareText(a.version ?? '', b.version ?? '');
  software.added.sort(byRef);
  software.removed.sort(byRef);
  software.upgraded.sort(byRef);

  const classes: HardwareClassChange[] = [];
  for (const [className, h] of hardware) {
    if (!h.existedBefore && !h.existsAfter) continue;
    const change = !h.existedBefore ? 'added' : !h.existsAfter ? 'removed' : 'changed';
    classes.push({ className, change, before: h.existedBefore ? h.before : 0, after: h.existsAfter ? h.after : 0 });
  }
  classes.sort((a, b) => classOrder(a.className) - classOrder(b.className) || compareText(a.className, b.className));

  return { hardware: classes, software, partial };
}

/** A class's place in the protocol's list; classes it does not name come after, by name. */
export function classOrder(className: string): number {
  const i = (hardwareClassNames as readonly string[]).indexOf(className);
  return i === -1 ? hardwareClassNames.length : i;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
