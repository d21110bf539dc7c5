import { describe, expect, it } from 'vitest';
import { buildInventoryReport, changedHardwareClasses, describeInventoryReport, softwareChanges } from '@/lib/agent/inventory/inventory-delta';
import { deltaInventoryReportSchema, fullInventoryReportSchema, type SoftwareRow } from '@/lib/protocol/inventory.schema';

const reportId = '7d0e7c1a-6f43-4e0b-9a57-0d7a2b7c9f10';
const collectedAt = new Date('2026-12-01T08:00:00Z');
const packages: SoftwareRow[] = [
  ['bash', '5.2.15-2', 'amd64', '2025-05-20'],
  ['curl', '7.88.1-10', 'amd64', null],
  ['vim', '9.0.1378-2', 'amd64', '2025-06-01'],
];
const hardware = {
  system: [{ manufacturer: 'Dell Inc.', model: 'OptiPlex 7090', serial: 'ABC123' }],
  memory: [{ kind: 'total', totalMb: 16_000 }],
  fileSystem: [{ mount: '/', sizeMb: 100_000, freeMb: 40_000 }],
};

describe('inventory deltas', () => {
  it('makes the first report full: every class (uncollected ones empty) and every package', () => {
    const { report, snapshot, summary } = buildInventoryReport({
      base: null,
      collection: { hardware: { classes: hardware, failed: ['disk'] }, software: { source: 'dpkg', packages } },
      version: 1,
      deviceId: 42,
      reportId,
      collectedAt,
    });
    const full = fullInventoryReportSchema.parse(report);
    expect(full.hardware.system).toEqual(hardware.system);
    expect(full.hardware.disk).toEqual([]);
    expect(Object.keys(full.hardware)).toHaveLength(9);
    expect(full.software.packages).toEqual(packages);
    expect(snapshot.version).toBe(1);
    expect(describeInventoryReport(summary, 'hardware')).toBe('full, 9 classes, 3 packages');
  });

  it('sends only the classes that changed, each whole, and leaves out a class that failed to collect', () => {
    const previous = { ...hardware, disk: [{ name: '/dev/sda', sizeMb: 500_000 }] };
    const current = {
      // Same properties in another order: no change.
      system: [{ serial: 'ABC123', model: 'OptiPlex 7090', manufacturer: 'Dell Inc.' }],
      memory: [{ kind: 'total', totalMb: 32_000 }],
      fileSystem: [...hardware.fileSystem, { mount: '/home', sizeMb: 200_000, freeMb: 150_000 }],
      disk: [],
    };
    expect(changedHardwareClasses(previous, current, ['disk'])).toEqual({ memory: current.memory, fileSystem: current.fileSystem });
    expect(changedHardwareClasses(previous, current)).toEqual({ memory: current.memory, fileSystem: current.fileSystem, disk: [] });
  });

  it('counts a new version of a package as one removed and one added, and ignores an install date alone', () => {
    const current: SoftwareRow[] = [
      ['bash', '5.2.15-2', 'amd64', '2026-01-01'],
      ['curl', '7.88.1-10+deb12u8', 'amd64', null],
      ['vim', '9.0.1378-2', 'amd64', '2025-06-01'],
      ['git', '1:2.39.5-0', 'amd64', '2026-11-30'],
    ];
    expect(softwareChanges(packages, current)).toEqual({
      added: [
        ['curl', '7.88.1-10+deb12u8', 'amd64', null],
        ['git', '1:2.39.5-0', 'amd64', '2026-11-30'],
      ],
      removed: [['curl', '7.88.1-10', 'amd64']],
    });
  });

  it('bases a delta on the snapshot version, and the snapshot it leaves holds the failed class as before', () => {
    const base = { version: 4, hardware: { ...hardware, disk: [{ name: '/dev/sda' }] }, software: { source: 'dpkg' as const, packages } };
    const memory = [{ kind: 'total', totalMb: 8_000 }];
    const { report, snapshot, summary } = buildInventoryReport({
      base,
      collection: { hardware: { classes: { ...hardware, memory, disk: [] }, failed: ['disk'] } },
      version: 5,
      deviceId: 42,
      reportId,
      collectedAt,
    });
    const delta = deltaInventoryReportSchema.parse(report);
    expect(delta).toMatchObject({ kind: 'delta', version: 5, baseVersion: 4, hardware: { memory } });
    expect(delta.software).toBeUndefined();
    expect(snapshot.hardware.disk).toEqual([{ name: '/dev/sda' }]);
    expect(snapshot.hardware.memory).toEqual(memory);
    expect(snapshot.software).toEqual(base.software);
    expect(describeInventoryReport(summary, 'hardware')).toBe('delta, 1 class changed');

    const software = buildInventoryReport({
      base: snapshot,
      collection: { software: { source: 'dpkg', packages: packages.slice(1) } },
      version: 6,
      deviceId: 42,
      reportId,
      collectedAt,
    });
    expect(software.report).toMatchObject({ kind: 'delta', baseVersion: 5, software: { added: [], removed: [['bash', '5.2.15-2', 'amd64']] } });
    expect(software.report).not.toHaveProperty('hardware');
    expect(describeInventoryReport(software.summary, 'software')).toBe('delta, 0 added, 1 removed');
    expect(() => buildInventoryReport({ base: snapshot, collection: {}, version: 5, deviceId: 42, reportId, collectedAt })).toThrow(/above its base/);
  });

  it('sends an empty part when a cycle found nothing new, so the site still learns the cycle ran', () => {
    const base = { version: 1, hardware, software: { source: 'dpkg' as const, packages } };
    const { report } = buildInventoryReport({
      base,
      collection: { hardware: { classes: hardware, failed: [] }, software: { source: 'dpkg', packages } },
      version: 2,
      deviceId: 42,
      reportId,
      collectedAt,
    });
    expect(report).toMatchObject({ hardware: {}, software: { source: 'dpkg', added: [], removed: [] } });
  });
});
