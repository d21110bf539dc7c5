// The loader's decisions as plain functions over plain data: no database.
import { describe, expect, it } from 'vitest';
import { diffHardware, diffPackages, pairUpgrades } from '@/lib/inventory/diff-inventory';
import { discoveryUpdate } from '@/lib/inventory/discovery-update';
import { extractSummary } from '@/lib/inventory/extract-summary';
import { currentNeeded, decideLoad, planBatch, type ResolvedReport } from '@/lib/inventory/plan-batch';
import { planProducts, productKey, resolveRows } from '@/lib/inventory/plan-products';
import { inventoryReportSchema } from '@/lib/protocol/inventory.schema';

const pkg = (name: string, version: string, arch = 'amd64') => ({ name, version, arch });

describe('pairUpgrades and diffPackages', () => {
  it('pairs a removed and an added version of one name and architecture as an upgrade', () => {
    expect(
      pairUpgrades(
        [pkg('openssl', '3.0.13'), pkg('htop', '3.2'), pkg('libc6', '2.36', 'i386'), pkg('linux-image', '6.1.2'), pkg('linux-image', '6.1.3')],
        [pkg('openssl', '3.0.11'), pkg('vim', '9.0'), pkg('libc6', '2.35', 'amd64'), pkg('linux-image', '6.1.1')],
      ),
    ).toEqual({
      added: [pkg('htop', '3.2'), pkg('libc6', '2.36', 'i386'), pkg('linux-image', '6.1.3')],
      removed: [pkg('libc6', '2.35', 'amd64'), pkg('vim', '9.0')],
      upgraded: [
        { name: 'linux-image', arch: 'amd64', from: '6.1.1', to: '6.1.2' },
        { name: 'openssl', arch: 'amd64', from: '3.0.11', to: '3.0.13' },
      ],
    });
  });

  it('tells what a full list adds and removes against the one held', () => {
    expect(diffPackages([pkg('a', '1'), pkg('b', '1')], [pkg('b', '1'), pkg('c', '1')])).toEqual({
      added: [pkg('c', '1')],
      removed: [pkg('a', '1')],
    });
  });
});

describe('diffHardware', () => {
  const before = new Map([
    ['system', [{ model: 'M1', manufacturer: 'Contoso' }]],
    ['disk', [{ size: 1 }, { size: 2 }]],
    ['loggedOnUser', [{ user: 'ann' }]],
  ]);
  it('compares classes whole, regardless of property order; a full report removes the classes it lacks', () => {
    const after = { system: [{ manufacturer: 'Contoso', model: 'M1' }], disk: [{ size: 1 }], processor: [{ cores: 4 }] };
    expect(diffHardware(before, after, true)).toEqual([
      { className: 'disk', change: 'changed', before: 2, after: 1 },
      { className: 'loggedOnUser', change: 'removed', before: 1, after: 0 },
      { className: 'processor', change: 'added', before: 0, after: 1 },
    ]);
    expect(diffHardware(before, { loggedOnUser: [] }, false)).toEqual([{ className: 'loggedOnUser', change: 'removed', before: 1, after: 0 }]);
  });
});

describe('extractSummary', () => {
  it('reads the device columns from the classes present, and leaves out the others', () => {
    expect(
      extractSummary({
        system: [{ manufacturer: ' Dell Inc. ', model: 'OptiPlex 7090', serial: 'ABC123' }],
        memory: [{ size: 8 * 1024 ** 3 }, { size: 8 * 1024 ** 3 }],
        fileSystem: [
          { mount: '/home', available: 1 },
          { mount: '/', size: 50 * 1024 ** 3, used: 20 * 1024 ** 3 },
        ],
        operatingSystem: [{ distro: 'Ubuntu', release: '24.04' }],
      }),
    ).toEqual({
      system: { manufacturer: 'Dell Inc.', model: 'OptiPlex 7090', serialNumber: 'ABC123' },
      memoryMb: 16384,
      diskFreeMb: 30720,
      os: { name: 'Ubuntu', version: '24.04' },
    });
    expect(extractSummary({ fileSystem: [{ mount: '/boot', available: 5 }], operatingSystem: [{ distro: 'Ubuntu' }] })).toEqual({ diskFreeMb: null });
    expect(extractSummary({})).toEqual({});
  });

  it("reads the megabytes the agent's collector reports (memory's total row, the root file system's freeMb)", () => {
    expect(
      extractSummary({
        memory: [
          { kind: 'total', totalMb: 15_872, swapMb: 2048 },
          { kind: 'module', sizeMb: 8192 },
        ],
        fileSystem: [
          { mount: '/', sizeMb: 100_000, usedMb: 60_000, freeMb: 40_000 },
          { mount: '/boot', freeMb: 500 },
        ],
      }),
    ).toEqual({ memoryMb: 15_872, diskFreeMb: 40_000 });
  });
});

describe('planProducts and resolveRows', () => {
  it('asks once for each identity the cache lacks, and keeps a package listed twice once', () => {
    const known = new Map([[productKey('bash', '5', 'amd64'), 1]]);
    const rows: [string, string, string, string | null][] = [
      ['bash', '5', 'amd64', null],
      ['curl', '8', 'amd64', '2024-01-01'],
      ['curl', '8', 'amd64', '2024-02-02'],
    ];
    expect(
      planProducts(
        [
          { rows, source: 'dpkg' },
          { rows: [['curl', '8', 'amd64', null]], source: 'dpkg' },
        ],
        known,
      ),
    ).toEqual(new Map([['dpkg', [productKey('curl', '8', 'amd64')]]]));
    const ids = new Map([...known, [productKey('curl', '8', 'amd64'), 2]]);
    expect(resolveRows(rows, ids)).toEqual({ productIds: [1, 2], installedOn: [null, '2024-01-01'] });
  });
});

describe('planProducts by source', () => {
  it("files a snap row under snap whatever its report's source, and a report without a source under none", () => {
    const known = new Map<string, number>();
    expect(
      planProducts(
        [
          {
            rows: [
              ['libc6', '2.36', 'amd64', null],
              ['firefox', '128.0.3-1', 'amd64', '2026-11-30', 'snap'],
            ],
            source: 'dpkg',
          },
          { rows: [['bash', '5.2', 'x86_64', null]], source: 'rpm' },
          {
            rows: [
              ['core22', '20241001', 'amd64', null, 'snap'],
              ['libc6', '2.36', 'amd64', null],
            ],
            source: '',
          },
        ],
        known,
      ),
    ).toEqual(
      new Map([
        ['dpkg', [productKey('libc6', '2.36', 'amd64')]],
        ['snap', [productKey('firefox', '128.0.3-1', 'amd64'), productKey('core22', '20241001', 'amd64')]],
        ['rpm', [productKey('bash', '5.2', 'x86_64')]],
      ]),
    );
  });
});

describe('decideLoad and planBatch', () => {
  const full = inventoryReportSchema.parse({
    kind: 'full',
    reportId: '00000000-0000-4000-8000-000000000001',
    deviceId: 1,
    version: 4,
    collectedAt: '2030-01-01T00:00:00Z',
    hardware: { system: [{ model: 'M2' }] },
    software: { source: 'dpkg', packages: [['bash', '5', 'amd64', null]] },
  });
  const delta = inventoryReportSchema.parse({
    kind: 'delta',
    reportId: '00000000-0000-4000-8000-000000000002',
    deviceId: 2,
    version: 3,
    baseVersion: 2,
    collectedAt: '2026-01-01T00:00:00Z',
    software: { source: 'dpkg', added: [], removed: [] },
  });

  it('skips what was loaded or lost its device, takes a full, applies a delta only on the loaded version', () => {
    expect(decideLoad(full, { version: 0 }, true)).toEqual({ action: 'skip', reason: 'loaded before' });
    expect(decideLoad(full, undefined, false)).toEqual({ action: 'skip', reason: 'device gone' });
    expect(decideLoad(full, { version: 0 }, false)).toEqual({ action: 'full', baseline: true });
    expect(decideLoad(full, { version: 9 }, false)).toEqual({ action: 'full', baseline: false });
    expect(decideLoad(delta, { version: 2 }, false)).toEqual({ action: 'delta' });
    expect(decideLoad(delta, { version: 1 }, false)).toEqual({ action: 'refuse', heldVersion: 1 });
  });

  it('skips a report numbered and collected before the newest loaded, and loads one that is only numbered or only dated before it', () => {
    const loaded = (version: number, collectedAt: string) => ({ version, collectedAt: new Date(collectedAt) });
    expect(decideLoad(full, loaded(9, '2031-01-01T00:00:00Z'), false)).toEqual({ action: 'skip', reason: 'older than loaded' });
    expect(decideLoad(delta, loaded(3, '2026-06-01T00:00:00Z'), false)).toEqual({ action: 'skip', reason: 'older than loaded' });
    expect(decideLoad(full, loaded(9, '2029-01-01T00:00:00Z'), false)).toEqual({ action: 'full', baseline: false });
    expect(decideLoad(full, loaded(3, '2031-01-01T00:00:00Z'), false)).toEqual({ action: 'full', baseline: false });
  });

  it('plans a resync full against what the site held, and a refused delta only as a resync flag', () => {
    const item = (report: typeof full, productIds: number[]): ResolvedReport => ({
      inboxId: '1',
      receivedAt: new Date('2026-06-01T00:00:00Z'),
      report,
      productIds,
      installedOn: productIds.map(() => null),
      removedIds: [],
    });
    const decided = [
      { item: item(full, [7]), decision: decideLoad(full, { version: 3 }, false) },
      { item: item(delta, []), decision: decideLoad(delta, { version: 1 }, false) },
    ];
    expect(currentNeeded(decided)).toEqual({ software: [1], hardware: [1] });
    const plan = planBatch(decided, {
      software: new Map([[1, [pkg('bash', '4')]]]),
      hardware: new Map([[1, new Map([['system', [{ model: 'M1' }]]])]]),
    });
    expect(plan.replaceDevices).toEqual([1]);
    expect(plan.copy).toEqual([{ deviceId: 1, productIds: [7], installedOn: [null] }]);
    expect(plan.refused).toEqual([{ report: delta, heldVersion: 1 }]);
    expect(plan.reports).toEqual([
      {
        deviceId: 1,
        reportId: full.reportId,
        kind: 'FULL',
        version: 4,
        collectedAt: new Date('2030-01-01T00:00:00Z'),
        softwareCount: 1,
        changes: {
          baseline: false,
          hardware: [{ className: 'system', change: 'changed', before: 1, after: 1 }],
          software: { added: [], removed: [], upgraded: [{ name: 'bash', arch: 'amd64', from: '4', to: '5' }] },
        },
      },
    ]);
    // A clock ahead of the site's counts from the report's arrival.
    expect(plan.devices).toEqual([
      expect.objectContaining({
        deviceId: 1,
        version: 4,
        resync: false,
        hwAt: new Date('2026-06-01T00:00:00Z'),
        system: { manufacturer: null, model: 'M2', serialNumber: null },
      }),
      { deviceId: 2, resync: true },
    ]);
  });
});

describe('planBatch for a baseline', () => {
  it("copies a device's first full report without deleting anything first, and records no changes", () => {
    const report = inventoryReportSchema.parse({
      kind: 'full',
      reportId: '00000000-0000-4000-8000-000000000009',
      deviceId: 4,
      version: 1,
      collectedAt: '2026-01-01T00:00:00Z',
      hardware: { system: [{ model: 'M1' }] },
      software: { source: 'dpkg', packages: [['bash', '5', 'amd64', null]] },
    });
    const item: ResolvedReport = {
      inboxId: '1',
      receivedAt: new Date('2026-06-01T00:00:00Z'),
      report,
      productIds: [7],
      installedOn: [null],
      removedIds: [],
    };
    const plan = planBatch([{ item, decision: decideLoad(report, { version: 0 }, false) }], { software: new Map(), hardware: new Map() });
    expect(plan.replaceDevices).toEqual([]);
    expect(plan.copy).toEqual([{ deviceId: 4, productIds: [7], installedOn: [null] }]);
    expect(plan.hardwareUpserts).toEqual([{ deviceId: 4, className: 'system', instances: [{ model: 'M1' }] }]);
    expect(plan.reports[0].changes).toMatchObject({ baseline: true });
  });
});

describe('discoveryUpdate', () => {
  it('takes the first IPv4 address and the first MAC, and never the name', () => {
    const update = discoveryUpdate({
      deviceId: 1,
      name: 'other-name',
      domain: null,
      fqdn: null,
      ipAddresses: ['fe80::1', '192.0.2.7'],
      macAddresses: [],
      osName: 'Debian',
      osVersion: '12',
      osKind: 'WORKSTATION',
      agentVersion: '1.0.0',
      sentAt: '2026-01-01T00:00:00Z',
    });
    expect(update).toEqual({
      domain: null,
      fqdn: null,
      ipAddress: '192.0.2.7',
      macAddress: null,
      osName: 'Debian',
      osVersion: '12',
      osKind: 'WORKSTATION',
      clientVersion: '1.0.0',
    });
  });
});
