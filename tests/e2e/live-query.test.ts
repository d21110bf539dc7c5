// A live query watched in Chromium: typed in the Client Operations form, checked with its problem
// pointed at, started on a collection of agents that answer from this machine, and watched to the
// end — the answered count, the summary across devices and the rows streaming into the table.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { collectEntity } from '@/lib/agent/live-query/collect-entity';
import { AgentSimulator } from '@/lib/agent/simulator';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'live-query-password-1234';

describe('Live query in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let simulator: AgentSimulator;

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    const fleet = await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'LQ-', count: 3, collectionName: 'Query test clients' });
    await pool().query(
      `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
       VALUES ('asker', 'Asker', 'FULL_ADMINISTRATOR', $1, false, now())`,
      [await hashPassword(password)],
    );
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_NOTIFICATION_PORT: 'off', SITEBOX_SEED_DEVICES: '0' } });
    // Three agents in this process, each reading this machine as the real agent does.
    simulator = new AgentSimulator({ managementPointUrls: [server.url], credentials: fleet.credentials, collectEntity });
    await simulator.start();
    await simulator.waitConnected();
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    errors = watchErrors(page);
  }, 240_000);

  afterAll(async () => {
    await simulator?.stop();
    await browser?.close();
    await server?.stop();
  });

  it('points at a query’s problem, then runs it on a collection and shows every answer as it arrives', async () => {
    await signInThroughPage(page, server.url, 'asker', password, '/monitoring/client-operations');
    await page.getByRole('heading', { level: 1, name: 'Client Operations' }).waitFor();
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();

    await page.getByLabel('Action').selectOption({ label: 'Live Query' });
    const query = page.getByLabel('Query', { exact: true });
    await query.fill('processes\n| summarize count() by usr');
    await page.getByRole('button', { name: 'Check query' }).click();
    const problem = page.getByRole('alert').filter({ hasText: 'line 2' });
    await problem.waitFor();
    expect(await problem.textContent()).toContain('Unknown column "usr"');
    expect(await page.getByTestId('query-problem-pointer').textContent()).toBe('| summarize count() by usr\n                       ^^^');
    expect(await query.getAttribute('aria-invalid')).toBe('true');

    await query.fill('processes | summarize count() by user | order by count desc');
    await page.getByRole('button', { name: 'Check query' }).click();
    await page.getByRole('status').filter({ hasText: 'The query is valid' }).waitFor();

    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Query test clients (3)' });
    await page.getByRole('button', { name: 'Review…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm client operation' });
    await dialog.getByRole('button', { name: 'Start on 3 clients' }).click();

    const results = page.getByRole('region', { name: 'Live query results' });
    await results.getByTestId('live-query-progress').filter({ hasText: 'Answered 3 of 3 (offline 0, failed 0)' }).waitFor({ timeout: 30_000 });
    // Every device's summary, merged: this machine's processes by user, three times over.
    const own = await collectEntity('processes', null);
    const summaryRows = results.getByTestId('summary-row');
    await summaryRows.first().waitFor();
    const summary = await summaryRows.allTextContents();
    expect(summary.length).toBeGreaterThan(0);
    const root = own.filter((p) => p.user === 'root').length;
    if (root > 0) expect(summary.some((s) => s.startsWith('root'))).toBe(true);
    // The rows by device stream in: one per user per device.
    const rows = results.getByTestId('live-query-row');
    await expect.poll(async () => new Set((await rows.allTextContents()).map((t) => t.slice(0, 8))).size, { timeout: 15_000 }).toBe(3);
    // The count of rows stored is read apart from the rows; it comes with the last progress change.
    await expect
      .poll(async () => results.getByText(/rows? shown of \d+ rows? stored/).textContent(), { timeout: 15_000 })
      .toMatch(/(\d+) rows? shown of \1 rows? stored/);
    // The one refused check is the query with the unknown column.
    expect(errors).toEqual([expect.stringMatching(/status of 400 .*\/api\/live-queries\/validate\)$/)]);
  });
});
