// What install and uninstall ask of systemd, on a machine where it runs: the system's service is
// (re)started with the new program, and a tree under --prefix never touches the system's service.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const systemctlCalls: string[][] = [];
vi.mock('@/lib/agent/install/systemd', () => ({
  systemdRuns: () => true,
  systemctl: (...args: string[]) => {
    systemctlCalls.push(args);
    return 'active';
  },
}));

const { installAgent } = await import('@/lib/agent/install/install-agent');
const { uninstallAgent } = await import('@/lib/agent/install/uninstall-agent');
const { installLayout } = await import('@/lib/agent/install/install-layout');

let dir: string;
let bundlePath: string;
beforeEach(async () => {
  systemctlCalls.length = 0;
  dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-install-service-'));
  bundlePath = path.join(dir, 'sitebox-agent.cjs');
  await writeFile(bundlePath, '// agent\n');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the agent service on a machine run by systemd', () => {
  it('restarts the service at install, so installing a new program over a running agent runs the new one', async () => {
    // Every part under the test's folder, but the unit taken for the system's.
    const layout = { ...installLayout({ prefix: dir }), unitLoadedBySystemd: true };
    const { started } = await installAgent({ layout, managementPoints: ['http://mp01:3000'], bundlePath, nodePath: process.execPath, start: true });
    expect(started).toBe(true);
    expect(systemctlCalls).toEqual([['daemon-reload'], ['enable', 'sitebox-agent.service'], ['restart', 'sitebox-agent.service']]);
  });

  it('installs, and uninstalls, under a prefix without starting, stopping or disabling the system service', async () => {
    const layout = installLayout({ prefix: path.join(dir, 'root') });
    const { started } = await installAgent({ layout, managementPoints: ['http://mp01:3000'], bundlePath, nodePath: process.execPath, start: true });
    expect(started).toBe(false);
    const removed = await uninstallAgent({ layout, stop: true });
    expect(removed).toContain(layout.unitFile);
    expect(systemctlCalls).toEqual([]);
    expect(layout.unitLoadedBySystemd).toBe(false);
    expect(installLayout({}).unitLoadedBySystemd).toBe(true);
  });
});
