import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { resetConfig } from '@/lib/config';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { thisServerComponents } from '@/lib/sites/server-components';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { startAppServer, type AppServer } from '../support/app-server';
import { expectFieldError, expectInViewport, launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'summary-admin-password';
// The server under test is the seeded site server; of its MP control manager's messages only
// the informational life cycle comes from the server itself.
const SYSTEM = 'ss01.status-views.example.com';
const COMPONENT = 'SMS_MP_CONTROL_MANAGER';
const WORKERS = ['status-manager'];

function serverMessage(overrides: Partial<StatusMessage> = {}): StatusMessage {
  return {
    uid: randomUUID(),
    messageId: 2306,
    severity: 'ERROR',
    type: 'MILESTONE',
    source: 'SERVER',
    siteCode: 'S01',
    systemName: SYSTEM,
    component: COMPONENT,
    sourceTime: new Date(),
    insertionStrings: [],
    properties: {},
    ...overrides,
  };
}

/** Posts messages the way a site system's reporter lands them: into Status Manager's inbox. */
const post = (messages: StatusMessage[]) => appendToInbox({ db: pool(), origin: 'mp', messages });

describe('status views in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    process.env.SITEBOX_SERVER_NAME = SYSTEM;
    resetConfig();
    await seedDemoSite({ devices: 10, workers: WORKERS });
    await prisma().consoleUser.create({
      data: { userName: 'summaryadmin', role: 'FULL_ADMINISTRATOR', passwordHash: await hashPassword(password), mustChangePassword: false },
    });
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_WORKERS: WORKERS.join(','), SITEBOX_SERVER_NAME: SYSTEM } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await signInThroughPage(page, server.url, 'summaryadmin', password, '/monitoring/component-status');
    await page.waitForURL(/\/monitoring\/component-status/);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    delete process.env.SITEBOX_SERVER_NAME;
    resetConfig();
  });

  const row = () => page.locator(`[role="row"][data-component="${COMPONENT}"][data-system="${SYSTEM}"]`);
  const errorCount = () => row().locator('[data-count="errors"]');
  const health = () => row().locator('[data-health]');

  it('shows a fresh site as this server alone, with the components it runs started and online, and green', async () => {
    // server.ts and its Status Manager report their components started within seconds.
    for (const component of thisServerComponents(WORKERS)) {
      await page
        .locator(`[role="row"][data-component="${component}"][data-system="${SYSTEM}"]`)
        .filter({ hasText: 'started' })
        .waitFor({ timeout: 20_000 });
    }
    const rows = page.locator('[role="row"][data-component]');
    expect(new Set(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-system'))))).toEqual(new Set([SYSTEM]));
    expect(await page.locator(`[role="row"][data-component]`).filter({ hasText: 'unknown' }).count()).toBe(0);

    await page.goto(`${server.url}/monitoring/site-system-status`);
    await page.locator(`[data-system="${SYSTEM}"]`).waitFor();
    expect(await page.locator('tr[data-system]').count()).toBe(1);
    await page.goto(`${server.url}/monitoring/site-status`);
    await page.locator('[data-site="S01"][data-colour="green"]').waitFor();
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/status-views-fresh-site.png', fullPage: true });
    await page.goto(`${server.url}/monitoring/component-status`);
  });

  it('shows every component name whole at 1280x800, in the list and in the details', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      const cells = page.locator('[role="row"][data-component] [role="cell"]:nth-child(3)');
      await cells.first().waitFor();
      const cut = await cells.evaluateAll((els) => els.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
      expect(cut).toEqual([]);
      const longest = (
        await page.locator('[role="row"][data-component]').evaluateAll((els) => els.map((e) => e.getAttribute('data-component')!))
      ).sort((a, b) => b.length - a.length)[0];
      await page.locator(`[role="row"][data-component="${longest}"]`).first().click();
      const heading = page.getByRole('region', { name: `Details of ${longest}` }).getByRole('heading', { level: 2 });
      await heading.waitFor();
      expect(await heading.evaluate((h) => h.scrollWidth <= h.clientWidth && h.getBoundingClientRect().right <= window.innerWidth)).toBe(true);
      await expectInViewport(page, heading);
      await page.screenshot({ path: '/tmp/component-status-1280.png' });
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await page.goto(`${server.url}/monitoring/component-status`);
    }
  });

  it("shows a component's count and colour change live as its messages are processed", async () => {
    await row().waitFor();
    await page.locator('[data-live="true"]').waitFor();
    expect(await errorCount().textContent()).toBe('0');
    expect(await health().getAttribute('data-health')).toBe('OK');

    // Default thresholds: Error Warning at 1 (exactly at: Warning), Critical at 5.
    await post([serverMessage()]);
    await page.waitForFunction(
      ([c, s]) => document.querySelector(`[data-component="${c}"][data-system="${s}"] [data-count="errors"]`)?.textContent === '1',
      [COMPONENT, SYSTEM],
      { timeout: 10_000 },
    );
    expect(await health().getAttribute('data-health')).toBe('WARNING');

    await post([serverMessage(), serverMessage(), serverMessage(), serverMessage(), serverMessage({ severity: 'WARNING', messageId: 2307 })]);
    await page.waitForFunction(
      ([c, s]) => document.querySelector(`[data-component="${c}"][data-system="${s}"] [data-health]`)?.getAttribute('data-health') === 'CRITICAL',
      [COMPONENT, SYSTEM],
      { timeout: 10_000 },
    );
    expect(await errorCount().textContent()).toBe('5');
    expect(await row().locator('[data-count="warnings"]').textContent()).toBe('1');
    // Worst first: the critical component leads the list.
    expect(await page.locator('[role="row"][data-component]').first().getAttribute('data-component')).toBe(COMPONENT);
  });

  it('drills down from a component to the Status Message Viewer on that component and interval', async () => {
    const href = await errorCount().getAttribute('href');
    const link = new URL(href!, server.url);
    expect(link.pathname).toBe('/monitoring/status-messages');
    expect(Object.fromEntries(link.searchParams)).toMatchObject({ site: 'S01', system: SYSTEM, component: COMPONENT, severity: 'ERROR' });
    // Since the site's midnight (America/New_York).
    const { rows } = await pool().query(
      `SELECT (date_trunc('day', now() AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York') AS midnight`,
    );
    expect(new Date(link.searchParams.get('from')!).toISOString()).toBe(rows[0].midnight.toISOString());
    await errorCount().click();
    await page.waitForURL(/\/monitoring\/status-messages/);
    await page.getByTestId('status-message-row').first().waitFor();
    expect(await page.getByTestId('status-message-row').count()).toBe(5);
  });

  it('resets the counts from the console, and the row follows', async () => {
    // The details of the chosen component show below the list, both within a 1280x800 window.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/monitoring/component-status?interval=SINCE_RESET`);
    // A row is chosen from the keyboard too.
    await row().focus();
    await page.keyboard.press('Enter');
    const details = page.getByRole('region', { name: `Details of ${COMPONENT}` });
    await details.waitFor();
    expect(await row().getAttribute('aria-selected')).toBe('true');
    await expectInViewport(page, details);
    await expectInViewport(page, row());
    expect(await page.locator('main').evaluate((m) => m.scrollTop)).toBe(0);
    const other = page.locator('[role="row"][data-component]').nth(1);
    await other.focus();
    await page.keyboard.press(' ');
    await page.getByRole('region', { name: `Details of ${await other.getAttribute('data-component')}` }).waitFor();
    await row().focus();
    await page.keyboard.press('Enter');
    await details.waitFor();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.getByRole('button', { name: 'Reset counts…' }).click();
    await page.getByRole('button', { name: 'Reset counts', exact: true }).click();
    await page.waitForFunction(
      ([c, s]) => document.querySelector(`[data-component="${c}"][data-system="${s}"] [data-health]`)?.getAttribute('data-health') === 'OK',
      [COMPONENT, SYSTEM],
    );
    expect(await errorCount().textContent()).toBe('0');
    await post([serverMessage()]);
    await page.waitForFunction(
      ([c, s]) => document.querySelector(`[data-component="${c}"][data-system="${s}"] [data-count="errors"]`)?.textContent === '1',
      [COMPONENT, SYSTEM],
    );
  });

  it('rolls the site up red, and shows site systems with their storage objects', async () => {
    await page.goto(`${server.url}/monitoring/site-status`);
    await page.locator('[data-site="S01"][data-colour="red"]').waitFor();
    await page.getByText('Messages per minute, last hour').waitFor();

    await post([
      serverMessage({
        severity: 'INFORMATIONAL',
        messageId: 4700,
        component: 'SMS_SITE_SYSTEM_STATUS_SUMMARIZER',
        properties: { StorageObject: 'D:', FreeBytes: String(3 * 1024 ** 3), TotalBytes: String(100 * 1024 ** 3) },
      }),
    ]);
    await page.goto(`${server.url}/monitoring/site-system-status`);
    const storage = page.locator(`[data-system="${SYSTEM}"] [data-storage="D:"]`);
    await storage.waitFor();
    // 3 GB free is under the default critical free space (5 GB).
    expect(await storage.getAttribute('data-health')).toBe('CRITICAL');
  });

  it('edits the display interval and threshold overrides in validated forms', async () => {
    await page.goto(`${server.url}/administration/status-summarizers`);
    const overrides = page.getByRole('table', { name: 'Threshold overrides' });
    await page.getByRole('button', { name: 'New override' }).click();
    const form = page.getByRole('form', { name: 'New threshold override' });
    await form.getByLabel('Component', { exact: true }).fill(COMPONENT);
    await form.getByLabel('Warning at', { exact: true }).fill('50');
    await form.getByLabel('Critical at', { exact: true }).fill('20');
    await form.getByRole('button', { name: 'Save' }).click();
    await expectFieldError(form, 'Warning at', 'Warning at must be lower than Critical at (20)');
    await form.getByLabel('Critical at', { exact: true }).fill('100');
    await form.getByRole('button', { name: 'Save' }).click();
    await overrides.getByRole('cell', { name: COMPONENT }).waitFor();

    const interval = page.getByRole('form', { name: 'Display interval' });
    await interval.getByLabel('Count messages').selectOption('SINCE_DATE');
    await interval.getByRole('button', { name: 'Save' }).click();
    await expectFieldError(interval, 'Since', 'Since is required with Since a date and time');
    await interval.locator('input[type="datetime-local"]').fill('2026-11-01T00:00');
    await interval.getByRole('button', { name: 'Save' }).click();
    await interval.getByRole('status').waitFor();

    // Applied without a restart: the component is judged by its override, since the chosen date.
    await page.goto(`${server.url}/monitoring/component-status`);
    await row().waitFor();
    await page.getByTestId('component-summary-line').filter({ hasText: 'since a date and time (2026-11-01 00:00' }).waitFor();
    expect(await health().getAttribute('data-health')).toBe('OK');
    // Both changes are audited; the messages are stored once Status Manager has read them from its inbox.
    const audited = async () =>
      (
        await pool().query(
          `SELECT count(*)::int AS n FROM status_message WHERE properties->>'ObjectType' IN ('SummarizerThreshold', 'SummarizerSettings')`,
        )
      ).rows[0].n;
    await expect.poll(audited, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });

  it('deletes a threshold override only once asked, and says when the delete fails', async () => {
    await page.goto(`${server.url}/administration/status-summarizers`);
    const overrides = page.getByRole('table', { name: 'Threshold overrides' });
    const row = overrides.getByRole('row').filter({ hasText: COMPONENT });
    await row.waitFor();
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await row.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toBe(`Delete the threshold override for ${COMPONENT}, Error?`);
    expect(await row.count()).toBe(1);

    // Someone else deleted it meanwhile: the answer is shown, not swallowed.
    await pool().query(`DELETE FROM summarizer_threshold WHERE component = $1`, [COMPONENT]);
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'The override could not be deleted: That threshold was not found' }).waitFor();
  });
});
