import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import { provisionSimulatedFleet } from '@/lib/agent/provision-simulated-fleet';
import { AgentSimulator } from '@/lib/agent/simulator';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, scriptSecondsWhileIdle, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'operator-password-1234';

describe('Client Operations in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let simulator: AgentSimulator;
  let late: ClientAgent | null = null;
  let fleet: Awaited<ReturnType<typeof provisionSimulatedFleet>>;

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    fleet = await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'E2E-', count: 30, collectionName: 'Notification test clients' });
    await pool().query(
      `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
       VALUES ('operator', 'Operator', 'OPERATIONS_ADMINISTRATOR', $1, false, now())`,
      [await hashPassword(password)],
    );
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_NOTIFICATION_PORT: 'off', SITEBOX_SEED_DEVICES: '0' } });
    // 20 of the 30 clients are online.
    simulator = new AgentSimulator({ managementPointUrls: [server.url], credentials: fleet.credentials.slice(0, 20) });
    await simulator.start();
    await simulator.waitConnected();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchErrors(page);
  }, 240_000);

  afterAll(async () => {
    await late?.stop();
    await simulator?.stop();
    await browser?.close();
    await server?.stop();
  });

  it('starts Download Computer Policy on a collection, shows the online estimate, and counts Succeeded up live', async () => {
    await signInThroughPage(page, server.url, 'operator', password, '/monitoring/client-operations');
    await page.getByRole('heading', { level: 1, name: 'Client Operations' }).waitFor();
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();

    await page.getByLabel('Action').selectOption({ label: 'Download Computer Policy' });
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Notification test clients (30)' });
    await page.getByRole('button', { name: 'Review…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm client operation' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('estimate-total').textContent()).toBe('30');
    expect(await dialog.getByTestId('estimate-online').textContent()).toBe('20');
    await dialog.getByRole('button', { name: 'Start on 30 clients' }).click();

    const row = page.locator('tbody tr[data-operation-id]').first();
    await row.locator('[data-column="total"]').filter({ hasText: '30' }).waitFor();
    expect(await row.locator('[data-column="onlineAtStart"]').textContent()).toBe('20');
    // No reload and no polling: the counts arrive over the console channel.
    await row.locator('[data-column="succeeded"]').filter({ hasText: /^20$/ }).waitFor({ timeout: 20_000 });
    expect(await row.locator('[data-column="waiting"]').textContent()).toBe('10');
    expect(await row.locator('[data-column="failed"]').textContent()).toBe('0');

    // A client that comes online within the validity gets it, and the row follows.
    late = new ClientAgent({ managementPointUrls: [server.url], credential: fleet.credentials[25], pollPolicy: false });
    await late.start();
    await row.locator('[data-column="succeeded"]').filter({ hasText: /^21$/ }).waitFor({ timeout: 20_000 });
    expect(await row.locator('[data-column="waiting"]').textContent()).toBe('9');

    // Drill down: per-device results.
    await row.click();
    const results = page.getByRole('region', { name: 'Results per device' });
    await results.getByText('30 devices').waitFor();
    await results.getByLabel('Show').selectOption({ label: 'Succeeded' });
    await results.getByText('21 devices').waitFor();
    await results.getByText('Received policy for site control serial').first().waitFor();

    // Cancel: the 9 still waiting are never pushed.
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: /Cancel operation/ }).click();
    await row.getByText('Cancelled').waitFor();
    expect(await row.locator('[data-column="waiting"]').textContent()).toBe('0');
    expect(errors).toEqual([]);
  });

  it('keeps the page idle while the list of operations is still loading', async () => {
    // Hold the list's answer: a table fed a fresh empty array on every render while the data is
    // pending re-rendered without end, and under load the answer then never got through.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/api\/client-operations\?/, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${server.url}/monitoring/client-operations`);
    await page.getByRole('heading', { level: 1, name: 'Client Operations' }).waitFor();
    const busy = await scriptSecondsWhileIdle(page, 1500);
    release();
    expect(busy).toBeLessThan(0.3);
    await page.locator('tbody tr[data-operation-id]').first().waitFor();
    await page.unroute(/\/api\/client-operations\?/);
    expect(errors).toEqual([]);
  });

  it('shows clients going online and offline on the Devices page without a reload', async () => {
    const name = fleet.credentials[28].name;
    await page.goto(`${server.url}/assets/devices?search=${name}`);
    const device = page.locator('tbody tr').filter({ hasText: name });
    await device.getByText('Offline').waitFor();
    const agent = new ClientAgent({ managementPointUrls: [server.url], credential: fleet.credentials[28], pollPolicy: false });
    await agent.start();
    await device.getByText('Online').waitFor({ timeout: 15_000 });
    await device.getByText('just now').waitFor();
    await agent.stop();
    await device.getByText('Offline').waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
  });
});
