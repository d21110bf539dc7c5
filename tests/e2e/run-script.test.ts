// Run Script watched from the console in Chromium: an approved script started on a collection of
// real agents (ClientAgent, which runs it with bash on this machine) from the Client Operations
// form with its parameter, the counts reaching the end live, each device's exit code and output,
// the identical outputs grouped with their device count, and the CSV export.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as approve } from '@/app/api/scripts/[id]/approve/route';
import { POST as createScript } from '@/app/api/scripts/route';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { AgentSimulator } from '@/lib/agent/simulator';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { request, signInAs, withParams } from '../support/console-session';
import { useTestDatabase } from '../support/database';

const password = 'run-script-password-1234';

describe('Run Script in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let simulator: AgentSimulator;

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    const fleet = await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'RUN-', count: 3, collectionName: 'Script test clients' });
    await pool().query(
      `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
       VALUES ('runner', 'Runner', 'FULL_ADMINISTRATOR', $1, false, now())`,
      [await hashPassword(password)],
    );
    // Written by one administrator, approved by another.
    const author = await signInAs('FULL_ADMINISTRATOR');
    const approver = await signInAs('FULL_ADMINISTRATOR');
    const created = await createScript(
      request('/api/scripts', {
        method: 'POST',
        headers: author.headers,
        body: {
          name: 'Greet',
          description: 'Prints a greeting and its argument',
          body: '#!/bin/bash\necho "hello from the agent"\necho "name=$1"\necho "to stderr" >&2\nexit 3\n',
          parameters: [{ name: 'Name', type: 'string', required: true }],
          timeoutSeconds: 30,
        },
      }),
    );
    const script = await created.json();
    const approved = await approve(
      request(`/api/scripts/${script.id}/approve`, { method: 'POST', headers: approver.headers, body: { contentHash: script.contentHash } }),
      withParams({ id: String(script.id) }),
    );
    expect(approved.status).toBe(200);
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_NOTIFICATION_PORT: 'off', SITEBOX_SEED_DEVICES: '0' } });
    simulator = new AgentSimulator({ managementPointUrls: [server.url], credentials: fleet.credentials });
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

  it('runs an approved script on a collection and shows each exit code, the grouped output and the CSV', async () => {
    await signInThroughPage(page, server.url, 'runner', password, '/monitoring/client-operations');
    await page.getByRole('heading', { level: 1, name: 'Client Operations' }).waitFor();
    await page.getByTestId('live-state').filter({ hasText: 'Live' }).waitFor();

    await page.getByLabel('Action').selectOption({ label: 'Run Script' });
    await page.getByLabel('Script', { exact: true }).selectOption({ label: 'Greet' });
    // Shell metacharacters reach the script as its argument, never interpreted.
    await page.getByLabel('Name', { exact: true }).fill('$(id); `x` | y');
    await page.getByLabel('Collection', { exact: true }).selectOption({ label: 'Script test clients (3)' });
    await page.getByRole('button', { name: 'Review…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Confirm client operation' });
    await dialog.getByText('Run Script Greet').waitFor();
    expect(await dialog.getByTestId('estimate-online').textContent()).toBe('3');
    await dialog.getByRole('button', { name: 'Start on 3 clients' }).click();

    // A script that exits non-zero has run: its result is stored with the exit code.
    const row = page.locator('tbody tr[data-operation-id]').first();
    await row.locator('[data-column="total"]').filter({ hasText: '3' }).waitFor();
    // The row names the script that ran.
    expect(await row.getByTestId('script-name').textContent()).toBe(': Greet');
    await expect
      .poll(
        async () =>
          Number(await row.locator('[data-column="succeeded"]').textContent()) + Number(await row.locator('[data-column="failed"]').textContent()),
        {
          timeout: 30_000,
        },
      )
      .toBe(3);

    await row.click();
    const results = page.getByRole('region', { name: 'Results per device' });
    await results.getByText('3 devices').waitFor();
    await results.getByRole('heading', { name: 'Run Script Greet on Script test clients: results per device' }).waitFor();
    // The devices' results arrive with the list's live updates, not necessarily all at once.
    await expect.poll(async () => results.getByText('Exit code 3').count(), { timeout: 15_000 }).toBe(3);

    const groups = page.getByRole('region', { name: 'Outputs grouped' });
    // The groups are read apart from the list and follow its live updates: wait for all three.
    await expect.poll(async () => groups.getByTestId('group-devices').allTextContents(), { timeout: 15_000 }).toEqual(['3']);
    const group = await groups.getByTestId('output-group').textContent();
    expect(group).toContain('exit code 3');
    expect(group).toContain('hello from the agent');
    expect(group).toContain('name=$(id); `x` | y');
    expect(group).toContain('to stderr');

    const csvHref = await groups.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    const csv = await page.request.get(`${server.url}${csvHref}`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    for (const name of ['RUN-00001', 'RUN-00002', 'RUN-00003']) expect(text).toContain(name);
    expect(text).toContain('hello from the agent');
    expect(errors).toEqual([]);
  });
});
