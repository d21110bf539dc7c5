import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { collectHardware, virtualization } from '@/lib/agent/inventory/collect-hardware';
import { buildInventoryReport } from '@/lib/agent/inventory/inventory-delta';
import { listSoftware } from '@/lib/agent/inventory/list-software';
import { fullInventoryReportSchema } from '@/lib/protocol/inventory.schema';

// The real collectors on this machine: what an agent started here would report.
describe('inventory of this machine', () => {
  it('collects hardware and installed packages into a full report the protocol accepts', async () => {
    const [hardware, software] = await Promise.all([collectHardware(), listSoftware()]);
    const { report } = buildInventoryReport({
      base: null,
      collection: { hardware, software },
      version: 1,
      deviceId: 1,
      reportId: crypto.randomUUID(),
      collectedAt: new Date(),
    });
    const full = fullInventoryReportSchema.parse(report);
    for (const name of ['system', 'operatingSystem', 'memory', 'fileSystem'] as const) expect(full.hardware[name]?.length, name).toBeGreaterThan(0);
    expect(full.hardware.operatingSystem![0]).toMatchObject({ platform: 'linux', kernel: expect.any(String) });
    expect(full.hardware.memory!.find((m) => m.kind === 'total')?.totalMb).toBeGreaterThan(0);
    expect(full.hardware.fileSystem!.some((f) => f.mount === '/')).toBe(true);
    expect(full.software.source).not.toBeNull();
    // A guest of a hypervisor says so (its CPU carries the flag), whatever its firmware is named.
    if (/^flags\s*:.*\bhypervisor\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'))) expect(full.hardware.system![0].virtual).toBe(true);
    expect(full.software.packages.length).toBeGreaterThan(0);

    // Collected again, nothing that did not change differs: a delta carries only real changes.
    const again = await collectHardware();
    for (const name of ['system', 'bios', 'operatingSystem', 'processor', 'disk', 'networkAdapter'] as const) {
      expect(again.classes[name], name).toEqual(hardware.classes[name]);
    }
  });
});

describe('virtualization', () => {
  it('believes systeminformation when it recognises the hypervisor', () => {
    expect(virtualization({ virtual: true, virtualHost: 'KVM', model: 'Standard PC', cpuFlags: 'fpu vme' })).toEqual({
      virtual: true,
      virtualHost: 'KVM',
    });
  });

  it('calls a machine virtual when its CPU carries the hypervisor flag, naming no host it cannot know', () => {
    expect(virtualization({ virtual: false, virtualHost: '', model: 'Amazon EC2 m5.large', cpuFlags: 'fpu vme hypervisor lahf_lm' })).toEqual({
      virtual: true,
      virtualHost: null,
    });
  });

  it('calls a container virtual, on Docker', () => {
    expect(virtualization({ virtual: false, model: 'Docker Container', cpuFlags: '' })).toEqual({ virtual: true, virtualHost: 'Docker' });
  });

  it('leaves a physical machine physical', () => {
    expect(virtualization({ virtual: false, virtualHost: '', model: 'ThinkPad T14', cpuFlags: 'fpu vme hypervisorx' })).toEqual({
      virtual: false,
      virtualHost: null,
    });
  });
});
