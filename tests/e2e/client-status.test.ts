// The Client Status page and the Devices page's Client activity column in Chromium, against a real
// server whose client-status-summarizer worker writes today's counts: totals with percentages,
// the chart per day, the inactive clients with their reasons linking to the device, a client
// coming online shown without a reload, and the column's reason and filter on the Devices page.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { channels } from '@/lib/db/channels';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const DAY = 86_400_000;
const password = 'client-status-password';
const WORKERS = ['client-status-summarizer'];
const now = Date.now();
// Days are the site's local days (the demo site's time zone is not UTC), as the summarizer keeps them.
let siteTimeZone = 'UTC';
/** A reason names the day of the last activity in UTC. */
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const isoDay = (ms: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: siteTimeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));

// Offline at first: a server takes devices that no notification server holds offline at its start.
async function addDevice(name: string, values: { policy?: number; heartbeat?: number } = {}) {
  await pool().query(
    `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, last_policy_request_at, last_heartbeat_at, updated_at)
     SELECT id, $1, 'Debian GNU/Linux', '12', 'WORKSTATION', 'APPROVED', $2, $3, now() FROM site WHERE code = 'S01'`,
    [name, values.policy ? new Date(values.policy) : null, values.heartbeat ? new Date(values.heartbeat) : null],
  );
}

/** Marks devices online as a notification server's presence batch does, NOTIFY included. */
async function comeOnline(...names: string[]) {
  await pool().query(`UPDATE device SET online = true WHERE name = ANY($1::text[])`, [names]);
  await pool().query(`SELECT pg_notify($1, $2)`, [channels.devicePresence, String(names.length)]);
}

const T = { timeout: 15_000 };

describe('Client Status in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 0, workers: WORKERS });
    siteTimeZone = (await pool().query<{ tz: string }>(`SELECT time_zone AS tz FROM site WHERE code = 'S01'`)).rows[0].tz;
    await prisma().consoleUser.create({
      data: { userName: 'clientstatus', role: 'READ_ONLY_ANALYST', passwordHash: await hashPassword(password), mustChangePassword: false },
    });
    await addDevice('CS-ACTIVE-1', { policy: now - 2 * 3_600_000 });
    await addDevice('CS-ACTIVE-2', { heartbeat: now - 3 * DAY });
    await addDevice('CS-SILENT', { heartbeat: now - 9 * DAY });
    await addDevice('CS-NEVER');
    // Two earlier days, as the summarizer would have left them.
    for (const [daysAgo, active] of [
      [2, 4],
      [1, 3],
    ]) {
      await pool().query(
        `INSERT INTO client_status_daily (site_id, day, total, online, active, inactive) SELECT id, $1::date, 4, 0, $2, 4 - $2 FROM site WHERE code = 'S01'`,
        [isoDay(now - daysAgo * DAY), active],
      );
    }
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_WORKERS: WORKERS.join(',') } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await signInThroughPage(page, server.url, 'clientstatus', password, '/monitoring/client-status');
    await page.waitForURL(/\/monitoring\/client-status/);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the totals with percentages, the chart per day and the inactive clients with their reasons', async () => {
    await expect.poll(() => page.getByRole('link', { name: 'Client Status' }).getAttribute('aria-current'), T).toBe('page');
    const figure = (label: string) => page.getByRole('group', { name: label, exact: true });
    await expect.poll(() => figure('Online').innerText(), T).toMatch(/^ONLINE\s+0\s+0 %\s+of 4 clients/i);
    expect(await figure('Offline').innerText()).toMatch(/4\s+100 %/);
    expect(await figure('Active').innerText()).toMatch(/2\s+50 %/);
    expect(await figure('Inactive').innerText()).toMatch(/2\s+50 %/);

    // The worker writes today's counts at its start: the chart runs over three days, today's last.
    const chart = page.getByRole('img', { name: /^Clients per day/ });
    await expect
      .poll(() => chart.getAttribute('aria-label'), { timeout: 30_000 })
      .toBe(`Clients per day from ${isoDay(now - 2 * DAY)} to ${isoDay(now)}; on ${isoDay(now)}: active 2, inactive 2, online 0`);
    expect(await page.getByRole('table', { name: 'Clients per day' }).getByRole('row').count()).toBe(4);

    const inactive = page.getByRole('table', { name: 'Inactive clients' });
    await expect.poll(() => inactive.getByRole('row').count(), T).toBe(3);
    const rows = await inactive.getByRole('row').allInnerTexts();
    expect(rows[1]).toContain('CS-NEVER');
    expect(rows[1]).toContain('Inactive: never reported');
    expect(rows[2]).toContain('CS-SILENT');
    expect(rows[2]).toContain(`Inactive: no policy request, heartbeat or hardware inventory for 9 days (last: heartbeat ${utcDay(now - 9 * DAY)})`);
    expect(await page.getByTestId('inactive-total').innerText()).toBe('2 inactive');
  });

  it('shows a client coming online without a reload', async () => {
    await comeOnline('CS-ACTIVE-1', 'CS-SILENT');
    await expect.poll(() => page.getByRole('group', { name: 'Online', exact: true }).innerText(), T).toMatch(/2\s+50 %/);
    expect(await page.getByRole('group', { name: 'Offline', exact: true }).innerText()).toMatch(/2\s+50 %/);
    await expect.poll(() => page.getByRole('table', { name: 'Inactive clients' }).getByRole('row').nth(2).innerText(), T).toContain('Online');
  });

  it('links an inactive client to Resource Explorer; its Client activity column in Devices gives the reason, and filters by activity', async () => {
    // The link opens the device in Resource Explorer; the Devices list gives its activity.
    await page.getByRole('link', { name: 'CS-SILENT' }).click();
    await page.waitForURL(/\/assets\/devices\/\d+/);
    await page.goto(`${server.url}/assets/devices?search=CS-SILENT`);
    const table = page.getByRole('table', { name: 'Devices' });
    await expect.poll(() => table.getByRole('row').count(), T).toBe(2);
    const headers = await table.getByRole('columnheader').allInnerTexts();
    expect(headers.map((h) => h.trim().toUpperCase())).toContain('CLIENT ACTIVITY');
    const cell = table
      .getByRole('row')
      .nth(1)
      .getByTitle(/^Inactive: /);
    expect(await cell.getAttribute('title')).toBe(
      `Inactive: no policy request, heartbeat or hardware inventory for 9 days (last: heartbeat ${utcDay(now - 9 * DAY)})`,
    );

    await page.getByLabel('Search devices').fill('');
    await expect.poll(() => table.getByRole('row').count(), T).toBe(5);
    await page.getByLabel('Client activity').selectOption('inactive');
    await page.waitForURL(/activity=inactive/);
    await expect
      .poll(async () => (await table.getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t')[0].trim()), T)
      .toEqual(['CS-NEVER', 'CS-SILENT']);
    await page.getByLabel('Client activity').selectOption('active');
    await expect
      .poll(async () => (await table.getByRole('row').allInnerTexts()).slice(1).map((r) => r.split('\t')[0].trim()), T)
      .toEqual(['CS-ACTIVE-1', 'CS-ACTIVE-2']);
    expect(await table.getByRole('row').nth(1).getByTitle('Active: policy request 2 h ago').count()).toBe(1);
    expect(errors).toEqual([]);
  });
});
