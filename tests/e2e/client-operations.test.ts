import { syntheticScanner } from '@/lib/agent/scan/synthetic-scanner';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAgent } from '@/lib/agent/agent';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { AgentSimulator } from '@/lib/agent/simulator';
import { hashPassword } from '@/lib/auth/password';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { createCollection } from '@/lib/collections/save-collection';
import { pool } from '@/lib/db/pool';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, scriptSecondsWhileIdle, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'operator-password-1234';

/** The Client Operations table is no wider than its box, and the page no wider than the window. */
async function expectTableFits(page: Page) {
  const widths = await page.getByRole('table', { name: 'Client operations' }).evaluate((table) => ({
    table: table.scrollWidth,
    box: table.parentElement!.clientWidth,
    page: document.documentElement.scrollWidth,
  }));
  expect(widths.table).toBeLessThanOrEqual(widths.box);
  expect(widths.page).toBeLessThanOrEqual(1280);
}

/** The row's per-state columns, added up. */
async function shownCounts(row: Locator) {
  let sum = 0;
  for (const id of ['inProgress', 'succeeded', 'failed', 'cancelled', 'waiting', 'expired']) {
    sum += Number((await row.locator(`[data-column="${id}"]`).textContent())!.replace(/,/g, ''));
  }
  return sum;
}

describe('Client Operations in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const frames: string[] = [];
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
    // Full scans run long enough to be cancelled while they run.
    simulator = new AgentSimulator({
      managementPointUrls: [server.url],
      credentials: fleet.credentials.slice(0, 20),
      scan: { quickScanMs: 500, fullScanMs: 300_000 },
    });
    await simulator.start();
    await simulator.waitConnected();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchErrors(page);
    // What the console channel tells the page, as it arrives.
    page.on('websocket', (ws) => ws.on('framereceived', (frame) => frames.push(String(frame.payload))));
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
    late = new ClientAgent({
      managementPointUrls: [server.url],
      credential: fleet.credentials[25],
      pollPolicy: false,
      scanner: syntheticScanner({ quickScanMs: 500, fullScanMs: 300_000 }),
    });
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

    // Every column and Cancel are in view at 1280x800: nothing to scroll sideways for.
    await expectTableFits(page);
    const cancel = row.getByRole('button', { name: /Cancel operation/ });
    expect((await cancel.boundingBox())!.x + (await cancel.boundingBox())!.width).toBeLessThanOrEqual(1280);

    // Cancel: the 9 still waiting are never pushed; they count as cancelled, and the row adds up.
    page.once('dialog', (d) => void d.accept());
    await cancel.click();
    await row.locator('[data-column="status"]').filter({ hasText: 'Cancelled' }).waitFor();
    expect(await row.locator('[data-column="waiting"]').textContent()).toBe('0');
    expect(await row.locator('[data-column="cancelled"]').textContent()).toBe('9');
    expect(await shownCounts(row)).toBe(30);
    await expectTableFits(page);
    await page.screenshot({ path: 'test-results/client-operations-1280.png' });
    expect(errors).toEqual([]);
  });

  it('counts scans stopped by a cancel as Cancelled, never as Failed', async () => {
    await page.getByLabel('Action').selectOption({ label: 'Full Scan' });
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Notification test clients (30)' });
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByRole('dialog', { name: 'Confirm client operation' }).getByRole('button', { name: 'Start on 30 clients' }).click();
    const row = page.locator('tbody tr[data-operation-id]').first();
    await row.locator('[data-column="total"]').filter({ hasText: '30' }).waitFor();
    // The 21 online clients have it and are scanning.
    await row.locator('[data-column="inProgress"]').filter({ hasText: /^21$/ }).waitFor({ timeout: 45_000 });
    // The cancel's results wait on a lock until the page's list has been read, and that list is
    // answered only after the page heard the results' counts: the older list must not win.
    const operationId = Number(await row.getAttribute('data-operation-id'));
    const lock = await pool().connect();
    await lock.query('BEGIN');
    await lock.query(`SELECT 1 FROM client_operation_target WHERE operation_id = $1 AND state = 'DELIVERED' FOR UPDATE`, [operationId]);
    let listsRead = 0;
    let listsAnswered = 0;
    let resultsHeard!: () => void;
    const heard = new Promise<void>((resolve) => (resultsHeard = resolve));
    await page.route(/\/api\/client-operations\?page=/, async (route) => {
      const response = await route.fetch();
      listsRead++;
      await heard;
      await route.fulfill({ response }).catch(() => {}); // a refetch may have replaced it
      listsAnswered++;
    });
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: /Cancel operation/ }).click();
    try {
      await expect.poll(() => frames.some((f) => f.includes(`"changed":[${operationId}]`)), { timeout: 20_000 }).toBe(true);
      await expect.poll(() => listsRead, { timeout: 20_000 }).toBeGreaterThan(0);
    } finally {
      await lock.query('COMMIT');
      lock.release();
    }
    await expect.poll(() => frames.some((f) => f.includes('"CANCELLED":30')), { timeout: 20_000 }).toBe(true);
    resultsHeard();
    await expect.poll(() => listsAnswered, { timeout: 20_000 }).toBe(listsRead);
    await page.unroute(/\/api\/client-operations\?page=/);
    await row.locator('[data-column="cancelled"]').filter({ hasText: /^30$/ }).waitFor({ timeout: 20_000 });
    expect(await row.locator('[data-column="failed"]').textContent()).toBe('0');
    expect(await row.locator('[data-column="inProgress"]').textContent()).toBe('0');
    expect(await shownCounts(row)).toBe(30);

    await row.click();
    const results = page.getByRole('region', { name: 'Results per device' });
    await results.getByLabel('Show').selectOption({ label: 'Failed' });
    await results.getByText('No devices in this state.').waitFor();
    expect(errors).toEqual([]);
  });

  it('opens Review on a fresh online estimate, never on one kept from an earlier Review', async () => {
    await page.getByLabel('Action').selectOption({ label: 'Download Computer Policy' });
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Notification test clients (30)' });
    await page.getByRole('button', { name: 'Review…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm client operation' });
    await dialog.getByTestId('estimate-online').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Hold the next estimate: until it is answered, no number may show.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/api\/client-operations\/estimate/, async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('button', { name: 'Review…' }).click();
    await page.getByText('Counting online clients…').waitFor();
    expect(await dialog.count()).toBe(0);
    release();
    await dialog.getByTestId('estimate-online').waitFor();
    await page.unroute(/\/api\/client-operations\/estimate/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(errors).toEqual([]);
  });

  it('takes the focus into the confirmation, which Escape closes, giving the focus back to Review…', async () => {
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Notification test clients (30)' });
    const reviewButton = page.getByRole('button', { name: 'Review…' });
    await reviewButton.click();
    const dialog = page.getByRole('dialog', { name: 'Confirm client operation' });
    await dialog.getByTestId('estimate-online').waitFor();
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await reviewButton.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("shows a new collection's members as soon as an evaluation stores them, without a reload", async () => {
    // Another evaluation holds the lock, so the one after the save is skipped: the collection
    // starts out unevaluated, as it does while the evaluator is busy with a large site.
    const lock = await pool().connect();
    let created: { id: number };
    try {
      await lock.query('SELECT pg_advisory_lock(7301952044201)');
      created = await createCollection({
        actor: { principal: { userId: 1, userName: 'operator', role: 'OPERATIONS_ADMINISTRATOR' }, address: '127.0.0.1' },
        input: {
          name: 'E2E by name',
          comment: '',
          limitingCollectionId: null,
          refreshMinutes: 60,
          rules: [{ kind: 'QUERY', name: '', query: { match: 'all', conditions: [{ field: 'name', pattern: 'E2E-*' }] } }],
        },
      });
    } finally {
      await lock.query('SELECT pg_advisory_unlock(7301952044201)');
      lock.release();
    }
    await page.goto(`${server.url}/assets/collections?id=${created.id}`);
    const summary = page.locator('section[aria-labelledby="collection-title"]');
    await summary.getByText('0 members').waitFor();
    await summary.getByText('evaluated never').waitFor();

    await evaluateCollections({ db: pool() });
    await summary.getByText('30 members').waitFor({ timeout: 15_000 });
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
