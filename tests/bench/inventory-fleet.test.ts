import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  BASE_PACKAGES,
  fleetCatalog,
  machineDelta,
  machineDeltaReport,
  machineFullReport,
  machineSoftware,
  type FleetPlan,
} from '@/bench/support/inventory-fleet';
import { deltaInventoryReportSchema, fullInventoryReportSchema } from '@/lib/protocol/inventory.schema';

const plan: FleetPlan = { seed: 42, collectedAt: Date.UTC(2026, 11, 1, 12) };
const catalog = fleetCatalog(plan.seed);
/** Numeric part-by-part comparison of the fleet's `major.minor.patch-revision` versions. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split(/[.-]/).map(Number));
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return Math.sign((x[i] ?? 0) - (y[i] ?? 0));
  return 0;
}
const key = (p: number) => {
  const { name, version, arch } = catalog.products[p];
  return `${name} ${version} ${arch}`;
};

describe('the inventory benchmark fleet', () => {
  it('is the same fleet for the same seed and another for another seed', () => {
    expect(fleetCatalog(plan.seed)).toEqual(catalog);
    expect(machineSoftware(catalog, plan, 7)).toEqual(machineSoftware(fleetCatalog(plan.seed), plan, 7));
    expect(fleetCatalog(43).products.slice(0, 50)).not.toEqual(catalog.products.slice(0, 50));
    expect(machineSoftware(catalog, plan, 7)).not.toEqual(machineSoftware(catalog, plan, 8));
  });

  it('has a few thousand distinct name+version+architecture products', () => {
    const keys = new Set(catalog.products.map((_, p) => key(p)));
    expect(keys.size).toBe(catalog.products.length);
    expect(keys.size).toBeGreaterThanOrEqual(2000);
    expect(keys.size).toBeLessThanOrEqual(10_000);
  });

  it('gives each machine about 1,500 packages, one version of each name, drawn from the catalog', () => {
    for (const machine of [0, 1, 999, 9999]) {
      const software = machineSoftware(catalog, plan, machine);
      expect(software.products.length).toBeGreaterThanOrEqual(1400);
      expect(software.products.length).toBeLessThanOrEqual(1600);
      expect(software.installedOn).toHaveLength(software.products.length);
      expect(new Set(software.products.map((p) => catalog.products[p].name)).size).toBe(software.products.length);
      for (const p of software.products) expect(p).toBeLessThan(catalog.products.length);
      for (const day of software.installedOn) expect(day <= '2026-12-01').toBe(true);
    }
  });

  it('shares most packages across the fleet: a thousand machines hold 1.4 million rows but a few thousand distinct products', () => {
    const used = new Uint8Array(catalog.products.length);
    let rows = 0;
    for (let machine = 0; machine < 1000; machine++) {
      const software = machineSoftware(catalog, plan, machine);
      rows += software.products.length;
      for (const p of software.products) used[p] = 1;
    }
    const distinct = used.reduce((sum, u) => sum + u, 0);
    expect(rows).toBeGreaterThan(1_400_000);
    expect(distinct).toBeGreaterThanOrEqual(2000);
    expect(distinct).toBeLessThanOrEqual(catalog.products.length);
    // Every base package on every machine, at one of its two or three versions.
    expect(catalog.base).toHaveLength(BASE_PACKAGES);
    for (const levels of catalog.base) expect(levels.length === 2 || levels.length === 3).toBe(true);
  });

  it('changes about 1 % of a machine in the delta round, and only what it has or lacks', () => {
    for (const machine of [0, 5, 123]) {
      const software = machineSoftware(catalog, plan, machine);
      const delta = machineDelta(catalog, plan, machine, software);
      const installed = new Set(software.products);
      for (const p of delta.removed) expect(installed.has(p)).toBe(true);
      for (const p of delta.added) expect(installed.has(p)).toBe(false);
      const changedNames = new Set([...delta.removed, ...delta.added].map((p) => catalog.products[p].name));
      expect(changedNames.size / software.products.length).toBeGreaterThan(0.005);
      expect(changedNames.size / software.products.length).toBeLessThan(0.02);
      const after = applyDelta(software, delta);
      expect(after.products.length).toBe(software.products.length - delta.removed.length + delta.added.length);
      expect(new Set(after.products.map((p) => catalog.products[p].name)).size).toBe(after.products.length);
      // An upgrade replaces a version with a higher one of the same name.
      const upgraded = delta.added.filter((p) => catalog.updates.includes(p));
      expect(upgraded.length).toBeGreaterThan(0);
      for (const p of upgraded) {
        const old = delta.removed.map((r) => catalog.products[r]).find((r) => r.name === catalog.products[p].name)!;
        expect(compareVersions(catalog.products[p].version, old.version)).toBe(1);
      }
    }
  });

  it('makes reports the wire protocol accepts', () => {
    const common = { catalog, plan, runId: 'run', machine: 3, deviceId: 1234, name: 'INV-00004' };
    const full = machineFullReport(common);
    expect(fullInventoryReportSchema.parse(full)).toEqual(full);
    expect(full.software.packages.length).toBeGreaterThanOrEqual(1400);
    const delta = machineDeltaReport({ ...common, baseVersion: 1 });
    expect(deltaInventoryReportSchema.parse(delta)).toEqual(delta);
    expect(delta.version).toBe(2);
    expect(delta.reportId).not.toBe(full.reportId);
    expect(delta.software!.removed.length).toBeGreaterThan(0);
  });
});
