import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { prisma } from '@/lib/db/prisma';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

describe('Site Settings in Chromium, with the site-control workers', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    await prisma().consoleUser.create({
      data: { userName: 'siteadmin', role: 'FULL_ADMINISTRATOR', passwordHash: await hashPassword('site-admin-password'), mustChangePassword: false },
    });
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_WORKERS: 'hierarchy-manager,site-control-manager' } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  }, 900_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('edits a setting, shows field errors, and sees the new serial applied', async () => {
    await signInThroughPage(page, server.url, 'siteadmin', 'site-admin-password', '/administration/site-settings');
    await page.getByRole('heading', { level: 1, name: 'Site Settings' }).waitFor();
    expect(await page.getByTestId('current-serial').textContent()).toBe('00000000');
    expect(await page.getByRole('tab').allTextContents()).toEqual(['General', 'Ports', 'Client Agents', 'Status Reporting', 'Maintenance']);

    // A value the setting cannot take: the field says why, before anything is sent.
    await page.getByRole('tab', { name: 'Ports' }).click();
    const port = page.getByLabel('Client notification port');
    expect(await port.inputValue()).toBe('10123');
    await port.fill('99999');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Client notification port must be at most 65535').waitFor();
    expect(await port.getAttribute('aria-invalid')).toBe('true');

    // A rule between two settings, checked by the server: its 400 lands on the field, on its tab.
    await port.fill('10123');
    await page.getByRole('tab', { name: 'Status Reporting' }).click();
    await page.getByLabel('Error messages: Warning at').fill('9');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Error messages: Warning at must be lower than the critical threshold (5)').waitFor();
    await page.getByLabel('Error messages: Warning at').fill('1');

    await page.getByRole('tab', { name: 'Ports' }).click();
    await port.fill('10200');
    await page.getByRole('tab', { name: 'General' }).click();
    const siteName = page.getByLabel('Site name');
    expect(await page.getByTestId('site-name').textContent()).toBe(`S01 - ${await siteName.inputValue()}`);
    await siteName.fill('Central East');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('change-applied').filter({ hasText: 'the site control serial is now 00000001' }).waitFor({ timeout: 20_000 });
    await page.getByTestId('current-serial').filter({ hasText: '00000001' }).waitFor();
    // The console header names the site from the site row the change just rewrote.
    await page.getByTestId('site-name').filter({ hasText: 'S01 - Central East' }).waitFor();
    await page.getByRole('tab', { name: 'Ports' }).click();
    expect(await page.getByLabel('Client notification port').inputValue()).toBe('10200');

    // The next attempt's field error is not shown beside the previous change's success.
    await port.fill('0');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Client notification port must be at least 1').waitFor();
    expect(await page.getByTestId('change-applied').count()).toBe(0);
    await port.fill('10200');
  });

  it('shows the change in history with a diff, and restores the old version as a new serial', async () => {
    await page.getByRole('link', { name: 'History' }).click();
    await page.waitForURL('**/administration/site-settings/history');
    const row = page.getByTestId('history-00000001');
    await row.waitFor();
    expect(await row.textContent()).toContain('siteadmin');
    expect(await row.textContent()).toContain('Notification Server: Client notification port: 10123 → 10200');
    expect(await row.textContent()).toContain('Central East');
    await page.getByRole('region', { name: 'Differences' }).filter({ hasText: '2 settings differ' }).waitFor();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByTestId('history-00000000').getByRole('button', { name: 'Restore this version' }).click();
    await page.getByText('Restored as serial 00000002').waitFor({ timeout: 20_000 });
    await page.getByTestId('history-00000002').waitFor();
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  });

  it('edits the scan paths one per line, refusing a path that is not absolute', async () => {
    await page.goto(`${server.url}/administration/site-settings`);
    await page.getByRole('tab', { name: 'Client Agents' }).click();
    const quick = page.getByLabel('Quick Scan folders');
    expect(await quick.inputValue()).toBe('/home\n/tmp\n/root');
    await quick.fill('/home\nsrv/uploads');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Quick Scan folders must hold absolute paths (each starting with /)').waitFor();
    await quick.fill('/home\n\n  /srv/uploads  ');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('current-serial').filter({ hasText: '00000003' }).waitFor({ timeout: 20_000 });
    // The form shows the stored list once it has re-read the new serial's document.
    await expect.poll(() => page.getByLabel('Quick Scan folders').inputValue(), { timeout: 20_000 }).toBe('/home\n/srv/uploads');
  });

  it('keeps what was typed when the session ends mid-edit, and saves it once signed in again in another tab', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await signInThroughPage(page, server.url, 'siteadmin', 'site-admin-password', '/administration/site-settings');
    const siteName = page.getByLabel('Site name');
    await siteName.fill('Typed before the session ended');
    // Idle past the session's limit while the form is open.
    await prisma().consoleSession.updateMany({ data: { lastSeenAt: new Date(Date.now() - 3 * 3_600_000) } });
    await page.getByRole('button', { name: 'Apply' }).click();

    // The page stays, says so, and the text is still in its field.
    const notice = page.getByTestId('session-ended');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Your session has ended');
    expect(page.url()).toBe(`${server.url}/administration/site-settings`);
    expect(await siteName.inputValue()).toBe('Typed before the session ended');

    // Signed in again in a new tab (it shares the cookies), the same form saves what was kept.
    const [other] = await Promise.all([context.waitForEvent('page'), notice.getByRole('link', { name: 'Sign in in a new tab' }).click()]);
    await other.getByLabel('User name').fill('siteadmin');
    await other.getByLabel('Password').fill('site-admin-password');
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.waitForURL('**/administration/site-settings');
    await other.close();
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByTestId('change-applied').waitFor({ timeout: 20_000 });
    await notice.waitFor({ state: 'detached' });
    await page.getByTestId('site-name').filter({ hasText: 'S01 - Typed before the session ended' }).waitFor({ timeout: 20_000 });
    await context.close();
  });
});
