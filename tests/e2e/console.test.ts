import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { navigation } from '@/components/shell/navigation';
import { hashPassword } from '@/lib/auth/password';
import { prisma } from '@/lib/db/prisma';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { expectFieldError, launchBrowser, scriptSecondsWhileIdle, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const firstPassword = 'first-admin-password';
const ownPassword = 'my-own-admin-password';

describe('console in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 500 });
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_ADMIN_PASSWORD: firstPassword } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('sends a signed-out visitor to sign-in, and the first administrator on to change the password', async () => {
    await signInThroughPage(page, server.url, 'admin', 'wrong-password', '/assets/devices');
    await page.getByRole('alert').filter({ hasText: 'Wrong user name or password.' }).waitFor();
    expect(page.url()).toContain('/sign-in?next=%2Fassets%2Fdevices');

    await page.getByLabel('Password').fill(firstPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/change-password/);
    await page.getByLabel('Current password').fill(firstPassword);
    await page.getByLabel('New password (12 characters or more)').fill('short');
    await page.getByLabel('New password again').fill('short');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expectFieldError(page.locator('form'), 'New password (12 characters or more)', 'must be at least 12 characters');

    // Leaving without choosing a password ends the one-time session; the next sign-in asks again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    await page.goto(`${server.url}/change-password`);
    await page.waitForURL(/\/sign-in/);
    await signInThroughPage(page, server.url, 'admin', firstPassword, '/assets/devices');
    await page.waitForURL(/\/change-password/);
    await page.getByLabel('Current password').fill(firstPassword);
    await page.getByLabel('New password (12 characters or more)').fill(ownPassword);
    await page.getByLabel('New password again').fill(ownPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/assets\/devices/);
    expect(await page.getByTestId('signed-in-user').textContent()).toBe('admin');
    // The refused password above logged its 401 in the console; from here on, none is expected.
    errors.length = 0;
  });

  it('keeps a ?next= the browser would read as another host on the site, and takes a repeated one as none', async () => {
    const context = await browser.newContext();
    const other = await context.newPage();
    const left: string[] = [];
    await context.route(
      (url) => !url.href.startsWith(server.url),
      (route) => (left.push(route.request().url()), route.abort()),
    );
    for (const next of ['/\\evil.example/', '/\t/evil.example/']) {
      await signInThroughPage(other, server.url, 'admin', ownPassword, `/sign-in?next=${encodeURIComponent(next)}`);
      await other.getByTestId('signed-in-user').waitFor();
      expect(new URL(other.url()).origin).toBe(new URL(server.url).origin);
      await context.clearCookies();
    }
    expect(left).toEqual([]);
    expect((await other.goto(`${server.url}/sign-in?next=/assets/devices&next=/administration/users`))?.status()).toBe(200);
    await other.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });

  it('walks every page of the navigation tree', async () => {
    for (const { items } of navigation) {
      for (const item of items) {
        await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: item.label, exact: true }).click();
        await page.waitForURL(`**${item.href}**`);
        await page.getByRole('heading', { level: 1, name: item.label }).waitFor();
        const link = page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: item.label, exact: true });
        expect(await link.getAttribute('aria-current')).toBe('page');
        // Loaded and left alone, a page must not keep rendering.
        expect(await scriptSecondsWhileIdle(page, 500), item.label).toBeLessThan(0.2);
      }
    }
    expect(errors).toEqual([]);
  });

  it('answers an unknown address and a missing object with a Not found page whose scripts the CSP lets run', async () => {
    const documentStatus = async (path: string) => (await page.goto(`${server.url}${path}`))?.status();
    expect(await documentStatus('/no/such/page')).toBe(404);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Nothing is at /no/such/page' }).waitFor();
    expect(await page.getByRole('link', { name: 'Back to the console' }).getAttribute('href')).toBe('/');

    // Inside the console frame: the page an address belongs to is the way back.
    expect(await documentStatus('/assets/devices/999999')).toBe(404);
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    await page.getByTestId('signed-in-user').waitFor();
    await page.getByRole('link', { name: 'Back to Devices' }).click();
    await page.waitForURL(/\/assets\/devices$/);
    await page.getByTestId('device-range').filter({ hasText: 'of 500' }).waitFor();

    expect(await documentStatus('/monitoring/client-operations/1')).toBe(404);
    await page.getByRole('link', { name: 'Back to Client Operations' }).waitFor();
    // A software metering rule that no longer exists (deleted, or never made) has no report to show.
    expect(await documentStatus('/assets/software-metering/999999')).toBe(404);
    await page.getByRole('link', { name: 'Back to Software Metering' }).waitFor();
    expect(await documentStatus('/forbidden')).toBe(200);
    // A prerendered page carries no nonce, and the policy refuses its scripts ("violates the
    // following Content Security Policy directive"); the only errors left are the 404s themselves.
    expect(errors.filter((e) => !/status of 404/.test(e))).toEqual([]);
    errors.length = 0;
  });

  it('lists, searches, sorts and pages the seeded devices', async () => {
    await page.goto(`${server.url}/assets/devices`);
    await page.getByTestId('device-range').filter({ hasText: 'of 500' }).waitFor();
    const firstCell = () => page.locator('tbody tr').first().locator('td').first().textContent();
    const firstByName = await firstCell();

    await page.getByRole('button', { name: 'Name' }).click(); // descending
    await page.waitForURL(/dir=desc/);
    await page.waitForFunction((before) => document.querySelector('tbody tr td')?.textContent !== before, firstByName);
    expect((await firstCell())! > firstByName!).toBe(true);

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('device-range').filter({ hasText: '51–100 of 500' }).waitFor();

    const { name } = (await prisma().device.findFirst({ where: { osKind: 'SERVER' }, orderBy: { name: 'asc' } }))!;
    await page.getByLabel('Search devices').fill(name);
    await page
      .getByTestId('device-range')
      .filter({ hasText: /^1–\d+ of \d+$/ })
      .waitFor();
    expect(await page.locator('tbody').textContent()).toContain(name);
    await page.reload();
    expect(await page.getByLabel('Search devices').inputValue()).toBe(name);

    mkdirSync('test-results', { recursive: true });
    await page.getByLabel('Search devices').fill('');
    await page.getByTestId('device-range').filter({ hasText: 'of 500' }).waitFor();
    await page.screenshot({ path: 'test-results/console-devices.png' });
  });

  it('marks demo devices with a badge and hides them on request', async () => {
    // Every seeded device is demo; one stands in for a registered client here.
    const real = (await prisma().device.findFirst({ orderBy: { name: 'asc' } }))!;
    await prisma().device.update({ where: { id: real.id }, data: { isDemo: false } });
    try {
      await page.goto(`${server.url}/assets/devices`);
      await page.getByTestId('device-range').filter({ hasText: 'of 500' }).waitFor();
      const rowOf = (name: string) => page.locator('tbody tr').filter({ hasText: name });
      const seeded = (await prisma().device.findFirst({ where: { isDemo: true }, orderBy: { name: 'asc' } }))!;
      expect(await rowOf(seeded.name).getByText('Demo', { exact: true }).count()).toBe(1);
      expect(await rowOf(real.name).getByText('Demo', { exact: true }).count()).toBe(0);

      await page.getByLabel('Source').selectOption({ label: 'Hide demo devices' });
      await page.waitForURL(/source=agent/);
      await page
        .getByTestId('device-range')
        .filter({ hasText: /^1–1 of 1$/ })
        .waitFor();
      expect(await page.locator('tbody tr').count()).toBe(1);
      expect(await rowOf(real.name).count()).toBe(1);
      expect(await page.locator('tbody').getByText('Demo', { exact: true }).count()).toBe(0);

      await page.getByLabel('Source').selectOption({ label: 'Demo devices only' });
      await page.getByTestId('device-range').filter({ hasText: 'of 499' }).waitFor();
      await page.reload();
      expect(await page.getByLabel('Source').inputValue()).toBe('demo');
    } finally {
      await prisma().device.update({ where: { id: real.id }, data: { isDemo: true } });
    }
    expect(errors).toEqual([]);
  });

  it("shows a collection's rules and members", async () => {
    await page.goto(`${server.url}/assets/collections`);
    await page.getByRole('button', { name: 'All Servers' }).click();
    await page.getByText('Query: servers').waitFor();
    const servers = await prisma().device.count({ where: { osKind: 'SERVER' } });
    await page
      .getByTestId('device-range')
      .filter({ hasText: `of ${servers}` })
      .waitFor();
    await page.screenshot({ path: 'test-results/console-collections.png' });
  });

  it('keeps a read-only analyst out of administration and hides approval and delete buttons', async () => {
    await prisma().consoleUser.create({
      data: { userName: 'ana', role: 'READ_ONLY_ANALYST', passwordHash: await hashPassword('analyst-password'), mustChangePassword: false },
    });
    const context = await browser.newContext();
    const analyst = await context.newPage();
    await signInThroughPage(analyst, server.url, 'ana', 'analyst-password', '/assets/devices');
    await analyst.getByTestId('device-range').filter({ hasText: 'of 500' }).waitFor();
    expect(await analyst.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    expect(await analyst.getByRole('button', { name: /^Delete / }).count()).toBe(0);
    await analyst.goto(`${server.url}/administration/users`);
    await analyst.waitForURL(/\/forbidden/);
    await context.close();
  });

  it("leaves the administrator's own row alone on the Users page, and resets another user's password", async () => {
    await prisma().consoleUser.create({
      data: { userName: 'olga', role: 'OPERATIONS_ADMINISTRATOR', passwordHash: await hashPassword('olga-password-1'), mustChangePassword: false },
    });
    await page.goto(`${server.url}/administration/users`);
    // An empty name is told beside the field, like every other form's, not in the browser's own bubble.
    const add = page.getByRole('form', { name: 'Add user' });
    await add.getByRole('button', { name: 'Add user' }).click();
    await expectFieldError(add, 'User name', 'User name must be at least 2 characters');
    errors.length = 0;
    const own = page.getByTestId('user-admin');
    const other = page.getByTestId('user-olga');
    await other.waitFor();
    for (const control of [
      own.getByRole('button', { name: 'Reset password' }),
      own.getByRole('button', { name: 'Disable' }),
      own.getByLabel('Role of admin'),
    ]) {
      expect(await control.isDisabled()).toBe(true);
      expect(await control.getAttribute('title')).toMatch(/Your own account/);
    }
    // It asks first, naming the user; declined, nothing changes.
    const asked: string[] = [];
    page.once('dialog', (dialog) => void (asked.push(dialog.message()), dialog.dismiss()));
    await other.getByRole('button', { name: 'Reset password' }).click();
    expect(asked).toEqual(['Reset the password of olga? Their current password stops working at once.']);
    expect(await page.getByTestId('one-time-password').count()).toBe(0);
    page.once('dialog', (dialog) => void dialog.accept());
    await other.getByRole('button', { name: 'Reset password' }).click();
    const shown = await page.getByTestId('one-time-password').textContent();
    expect(shown).toHaveLength(20);
    await other.filter({ hasText: 'Must change password' }).waitFor();
    expect(errors).toEqual([]);
  });

  it('shows Deployments as live once connected, never "Not live" while the first connection is made', async () => {
    await page.addInitScript(() => {
      const w = window as unknown as { sawNotLive?: boolean };
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="deployments-live"]')?.textContent === 'Not live') w.sawNotLive = true;
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    await page.goto(`${server.url}/monitoring/deployments`);
    await page
      .getByTestId('deployments-live')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    expect(await page.evaluate(() => (window as unknown as { sawNotLive?: boolean }).sawNotLive ?? false)).toBe(false);
    expect(errors).toEqual([]);
  });

  it('deletes a device after a confirmation naming it, refreshes the list, and shows a failed delete as a message', async () => {
    const site = (await prisma().site.findFirstOrThrow()).id;
    const make = (name: string) =>
      prisma().device.create({
        data: { siteId: site, name, osName: 'Ubuntu 24.04 LTS', osVersion: '24.04', osKind: 'SERVER', approval: 'APPROVED' },
      });
    const kept = await make('ZZ-DELETE-ME');
    const gone = await make('ZZ-DELETED-ELSEWHERE');
    await page.goto(`${server.url}/assets/devices?search=ZZ-DELETE`);
    await page.getByTestId('device-range').filter({ hasText: 'of 2' }).waitFor();

    // Cancelled: nothing is deleted.
    const messages: string[] = [];
    page.once('dialog', (dialog) => void (messages.push(dialog.message()), dialog.dismiss()));
    await page.getByRole('button', { name: 'Delete ZZ-DELETE-ME' }).click();
    expect(messages[0]).toMatch(/^Delete the device ZZ-DELETE-ME\? Its hardware and software inventory/);
    expect(await prisma().device.count({ where: { id: kept.id } })).toBe(1);

    // Confirmed: the device is deleted and the list read again.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete ZZ-DELETE-ME' }).click();
    await page.getByTestId('device-range').filter({ hasText: 'of 1' }).waitFor();
    expect(await page.getByRole('button', { name: 'Delete ZZ-DELETE-ME' }).count()).toBe(0);
    expect(await prisma().device.count({ where: { id: kept.id } })).toBe(0);

    // Deleted by someone else meanwhile: the 404 shows beside the button.
    await prisma().device.delete({ where: { id: gone.id } });
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete ZZ-DELETED-ELSEWHERE' }).click();
    await page.getByRole('alert').filter({ hasText: 'The device was not found.' }).waitFor();
    expect(errors.filter((e) => !/404/.test(e))).toEqual([]);
    errors.length = 0;
  });

  it('signs out with a request under way without any 401, after which console pages need a new sign-in', async () => {
    await page.goto(`${server.url}/assets/devices`);
    await page.getByTestId('device-range').filter({ hasText: 'of 500' }).waitFor();
    // A device search is under way (held here) when Sign out is clicked; it is let go once the
    // session has ended, and the sign-out answers only after that request settled.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const isSearch = (url: string) => url.includes('/api/devices?') && url.includes('WKS');
    page.on('requestfinished', (r) => isSearch(r.url()) && settle());
    page.on('requestfailed', (r) => isSearch(r.url()) && settle());
    await page.route(
      (url) => isSearch(url.href),
      async (route) => {
        await held;
        await route.continue().catch(settle);
      },
    );
    await page.route('**/api/auth/sign-out', async (route) => {
      const response = await route.fetch();
      release();
      await settled;
      await route.fulfill({ response });
    });
    const searching = page.waitForRequest((r) => isSearch(r.url()));
    await page.getByLabel('Search devices').fill('WKS');
    await searching;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in/);
    expect(errors).toEqual([]);
    await page.goto(`${server.url}/assets/devices`);
    await page.waitForURL(/\/sign-in\?next=/);
  });
});
