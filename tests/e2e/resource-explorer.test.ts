// Resource Explorer in Chromium against a real server, on inventory rows written by the fixture:
// opened from the Devices list, the hardware tables, the software list narrowed by a search, and
// the history comparing two reports, the metered programs it ran; a device without inventory says so.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { changes, insertReport, setDeviceSummary, setHardwareClasses, setInstalledSoftware, type FixturePackage } from '../support/inventory-fixture';

const PACKAGES = 1500;

describe('Resource Explorer in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let device: { id: number; name: string };
  let bare: { id: number; name: string };

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 20 });
    await prisma().consoleUser.create({
      data: { userName: 'explorer', role: 'READ_ONLY_ANALYST', passwordHash: await hashPassword('explorer-password'), mustChangePassword: false },
    });
    const { rows } = await pool().query<{ id: number; name: string }>(`SELECT id, name FROM device ORDER BY name LIMIT 2`);
    [device, bare] = rows;

    await setDeviceSummary(device.id, {
      manufacturer: 'Dell Inc.',
      model: 'OptiPlex 7090',
      serialNumber: 'CN7XQ93',
      memoryMb: 16_384,
      diskFreeMb: 204_800,
      version: 3,
    });
    await setHardwareClasses(device.id, {
      system: [{ manufacturer: 'Dell Inc.', model: 'OptiPlex 7090', serial: 'CN7XQ93', uuid: '4c4c4544-0032-3510-8048-b7c04f395a33' }],
      processor: [{ brand: 'Core i7-10700', cores: 8, speedMhz: 2900 }],
      disk: [
        { name: 'nvme0n1', type: 'SSD', sizeBytes: 512_110_190_592 },
        { name: 'sda', type: 'HD', sizeBytes: 2_000_398_934_016 },
      ],
      networkAdapter: [{ name: 'eno1', macAddress: '00:11:22:AA:BB:CC', ipv4Address: '10.1.2.3', speedMbps: 1000 }],
    });
    const packages: FixturePackage[] = [
      { name: 'openssl', version: '3.0.13-1', installedOn: '2025-06-15' },
      { name: 'libssl3', version: '3.0.13-1', installedOn: '2025-06-15' },
      { name: 'htop', version: '3.3.0-4', installedOn: '2025-06-15' },
      ...Array.from({ length: PACKAGES - 3 }, (_, i) => ({
        name: `lib-fleet-${String(i).padStart(4, '0')}`,
        version: `1.${i % 40}`,
        installedOn: '2025-01-10',
      })),
    ];
    await setInstalledSoftware(device.id, packages);
    const day = (d: number) => new Date(Date.UTC(2025, 5, d, 8, 30));
    await insertReport(device.id, {
      kind: 'FULL',
      version: 1,
      collectedAt: day(1),
      changes: changes({ baseline: true }),
      softwareCount: PACKAGES - 1,
    });
    await insertReport(device.id, {
      kind: 'DELTA',
      version: 2,
      collectedAt: day(8),
      changes: changes({ upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.11-1', to: '3.0.12-1' }] }),
      softwareCount: PACKAGES - 1,
    });
    await insertReport(device.id, {
      kind: 'DELTA',
      version: 3,
      collectedAt: day(15),
      changes: changes({
        added: [{ name: 'htop', version: '3.3.0-4', arch: 'amd64' }],
        upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.12-1', to: '3.0.13-1' }],
        hardware: [{ className: 'disk', change: 'changed', before: 1, after: 2 }],
      }),
      softwareCount: PACKAGES,
    });

    // Two runs of a metered program (one ended while the agent was down), and one of a rule deleted since.
    const rules = await Promise.all(
      ['GIMP', 'Retired Tool'].map((productName) =>
        prisma().meteringRule.create({ data: { productName, fileName: productName.toLowerCase(), siteCode: 'S01' } }),
      ),
    );
    const started = new Date(Date.now() - 3 * 3_600_000);
    const run = (ruleId: number, key: string, minutes: number, endEstimated: boolean) => ({
      ruleId,
      usageKey: key,
      startedAt: new Date(started.getTime() + minutes * 60_000),
      endedAt: new Date(started.getTime() + (minutes + 65) * 60_000),
      userName: 'alice',
      processId: 4242,
      filePath: '/usr/bin/gimp',
      fileVersion: '2.10.34-1',
      endEstimated,
    });
    await insertMeteringUsage(pool(), device.id, [
      run(rules[0].id, 'g1', 0, false),
      run(rules[0].id, 'g2', 70, true),
      run(rules[1].id, 'r1', 10, false),
    ]);
    while (await summarizeMeteringUsage({ db: pool() }));
    await prisma().meteringRule.delete({ where: { id: rules[1].id } });

    server = await startAppServer({ databaseUrl: url });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await signInThroughPage(page, server.url, 'explorer', 'explorer-password', '/assets/devices');
    await page.waitForURL(/\/assets\/devices/);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens from the Devices list and shows the hardware classes as readable tables', async () => {
    await page.getByRole('link', { name: device.name, exact: true }).click();
    await page.waitForURL(new RegExp(`/assets/devices/${device.id}$`));
    await page.getByRole('heading', { level: 1, name: device.name }).waitFor();
    const summary = page.getByLabel('Device summary');
    expect(await summary.textContent()).toContain('Dell Inc. OptiPlex 7090');
    expect(await summary.textContent()).toContain('16 GB');
    expect(await summary.textContent()).toContain('200 GB');

    expect(await page.getByRole('tab', { name: 'Hardware' }).getAttribute('aria-selected')).toBe('true');
    const disks = page.getByRole('region', { name: 'Disks (2)' });
    await disks.waitFor();
    expect(await disks.getByRole('columnheader').allTextContents()).toEqual(['Name', 'Type', 'Size']);
    expect(await disks.getByRole('row').nth(1).textContent()).toBe('nvme0n1SSD476.9 GB');
    expect(await disks.getByRole('row').nth(2).textContent()).toBe('sda' + 'HD' + '1.8 TB');
    // One instance reads as a list of properties.
    const system = page.getByRole('region', { name: 'System (1)' });
    expect(await system.getByRole('row', { name: /Serial/ }).textContent()).toBe('SerialCN7XQ93');
    expect(await system.getByRole('row', { name: /UUID/ }).textContent()).toContain('4c4c4544');
    const adapters = page.getByRole('region', { name: 'Network adapters (1)' });
    expect(await adapters.getByRole('row', { name: /MAC address/ }).textContent()).toBe('MAC address00:11:22:AA:BB:CC');
    expect(await adapters.getByRole('row', { name: /Speed/ }).textContent()).toBe('Speed1 Gbit/s');
    // The classes come in the protocol's order.
    expect(await page.getByRole('tabpanel').locator('h3').allTextContents()).toEqual([
      'System (1)',
      'Processors (1)',
      'Disks (2)',
      'Network adapters (1)',
    ]);
  });

  it('lists the software virtualised and narrows it by a search on the server', async () => {
    await page.getByRole('tab', { name: 'Software', exact: true }).click();
    await page.waitForURL(/\?tab=software$/);
    await page.getByTestId('software-count').filter({ hasText: '1,500 packages' }).waitFor();
    const rendered = await page.getByTestId('software-row').count();
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(200);
    expect(await page.getByTestId('software-row').first().textContent()).toBe('htop3.3.0-4amd64dpkg2025-06-15');

    const searches: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/software?')) searches.push(new URL(r.url()).searchParams.get('search') ?? '');
    });
    await page.getByLabel('Search software').fill('SSL');
    await page.getByTestId('software-count').filter({ hasText: '2 packages match “SSL”' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="software-row"]').length === 2);
    expect(await page.getByTestId('software-row').locator('td:first-child').allTextContents()).toEqual(['libssl3', 'openssl']);
    expect(searches).toContain('SSL');

    await page.getByLabel('Search software').fill('no-such-package');
    await page.getByText('No package name contains that text.').waitFor();
    await page.getByLabel('Search software').fill('');
    await page.getByTestId('software-count').filter({ hasText: '1,500 packages' }).waitFor();

    // Newest install first by the date column, then oldest first.
    const firstNames = () => page.getByTestId('software-row').locator('td:first-child').allTextContents();
    await page.getByRole('button', { name: 'Installed' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="software-row"] td')[5]?.textContent === 'libssl3');
    expect((await firstNames()).slice(0, 4)).toEqual(['htop', 'libssl3', 'openssl', 'lib-fleet-0000']);
    await page.getByRole('button', { name: 'Installed' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="software-row"] td')?.textContent === 'lib-fleet-0000');
  });

  it('lists the reports and compares two of them: the upgrade collapsed across reports', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    const reports = page.getByTestId('inventory-report');
    await reports.first().waitFor();
    expect(await reports.count()).toBe(3);
    expect(await reports.nth(0).textContent()).toContain('Version 3');
    expect(await reports.nth(0).textContent()).toContain('Delta');
    expect(await reports.nth(0).textContent()).toContain('Jun 15, 2025');
    expect(await reports.nth(0).textContent()).toContain('Packages: 1 added, 1 upgraded · 1 hardware class');
    expect(await reports.nth(2).textContent()).toContain('Baseline: first inventory');

    await page.getByRole('checkbox', { name: /Compare Version 1,/ }).check();
    await page.getByRole('checkbox', { name: /Compare Version 3,/ }).check();
    const comparison = page.getByTestId('comparison');
    await comparison.getByRole('heading', { name: /From version 1 .* to version 3/ }).waitFor();
    expect(await comparison.textContent()).toContain('2 reports combined.');
    const upgraded = comparison.getByTestId('changes-upgraded');
    expect(await upgraded.getByRole('row').nth(1).textContent()).toBe('opensslamd643.0.11-13.0.13-1');
    expect(await comparison.getByTestId('changes-added').getByRole('row').nth(1).textContent()).toBe('htop3.3.0-4amd64');
    expect(await comparison.getByTestId('changes-hardware').getByRole('row').nth(1).textContent()).toBe('DisksChanged1 → 2');
    expect(await comparison.getByTestId('changes-removed').count()).toBe(0);

    // Version 2 to 3 is just that report's own changes.
    await page.getByRole('checkbox', { name: /Compare Version 1,/ }).uncheck();
    await page.getByRole('checkbox', { name: /Compare Version 2,/ }).check();
    await comparison.getByRole('heading', { name: /From version 2 .* to version 3/ }).waitFor();
    expect(await comparison.getByTestId('changes-upgraded').getByRole('row').nth(1).textContent()).toBe('opensslamd643.0.12-13.0.13-1');
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/resource-explorer.png', fullPage: true });
  });

  it('lists the metered programs the device ran and its latest runs', async () => {
    await page.goto(`${server.url}/assets/devices/${device.id}`);
    await page.getByRole('tab', { name: 'Metered software' }).click();
    await page.waitForURL(/\?tab=metering$/);
    const programs = page.getByTestId('metered-program');
    await programs.first().waitFor();
    expect(await programs.allTextContents()).toEqual([
      expect.stringMatching(/^GIMP.*alice2$/),
      expect.stringMatching(/^rule \d+ \(deleted\).*alice1$/),
    ]);
    expect(await programs.first().getByRole('link', { name: 'GIMP' }).getAttribute('href')).toMatch(/^\/assets\/software-metering\/\d+$/);
    const runs = page.getByTestId('metered-run');
    expect(await runs.count()).toBe(3);
    expect(await page.getByRole('link', { name: 'All runs as CSV' }).getAttribute('href')).toBe(`/api/devices/${device.id}/metering/runs.csv`);
    // Newest first; an end the agent did not see is marked as about.
    expect(await runs.nth(0).textContent()).toMatch(/^GIMP.*about 1 h 05 minalice4242\/usr\/bin\/gimp \(2\.10\.34-1\)$/);
    expect(await runs.nth(2).textContent()).toMatch(/^GIMP.*1 h 05 min/);
    await page.screenshot({ path: 'test-results/resource-explorer-metering.png', fullPage: true });
    expect(errors).toEqual([]);
  });

  it('says a device without inventory has none yet, and an unknown device is not found', async () => {
    await page.goto(`${server.url}/assets/devices/${bare.id}`);
    await page.getByRole('heading', { level: 1, name: bare.name }).waitFor();
    expect(await page.getByTestId('no-inventory').textContent()).toBe('No inventory yet — the agent sends one at first start.');
    expect(await page.getByRole('tab').count()).toBe(0);

    const missing = await page.goto(`${server.url}/assets/devices/2147483000`);
    expect(missing?.status()).toBe(404);
    const bad = await page.goto(`${server.url}/assets/devices/not-a-number`);
    expect(bad?.status()).toBe(404);
    // Next.js logs the 404 answers of the last two pages as failed resource loads.
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
  });
});
