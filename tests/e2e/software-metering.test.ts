// Assets › Software Metering in Chromium against a real server: a rule created through the form
// (with a field refused first), disabled, edited and deleted; a CSV import listing its refused rows
// by line while keeping the good ones; a read-only analyst sees the rules but no controls; ticked
// rules enabled, disabled and deleted at once; a rule's
// report with its usage chart, who ran it (each list downloadable whole as CSV), and where it is installed but unused.
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { prisma } from '@/lib/db/prisma';
import { pool } from '@/lib/db/pool';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { expectFieldError, launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';
import { setInstalledSoftware } from '../support/inventory-fixture';

describe('Software Metering rules page in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 3 });
    for (const [userName, role] of [
      ['meter-admin', 'FULL_ADMINISTRATOR'],
      ['meter-analyst', 'READ_ONLY_ANALYST'],
    ] as const) {
      await prisma().consoleUser.create({
        data: { userName, role, passwordHash: await hashPassword(`${userName}-password`), mustChangePassword: false },
      });
    }
    server = await startAppServer({ databaseUrl: url });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await signInThroughPage(page, server.url, 'meter-admin', 'meter-admin-password', '/assets/software-metering');
    await page.waitForURL(/\/assets\/software-metering/);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const row = (product: string) => page.getByTestId('metering-rule-row').filter({ has: page.getByText(product, { exact: true }) });

  it('creates a rule through the form, showing a refused field beside it', async () => {
    await page.getByRole('link', { name: 'Software Metering' }).waitFor();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New software metering rule' });
    await form.getByLabel('Product name', { exact: true }).fill('Firefox');
    await form.getByLabel('File name', { exact: true }).fill('bin/firefox');
    await form.getByRole('button', { name: 'Create' }).click();
    await expectFieldError(form, 'File name', 'must be an executable name');
    await form.getByLabel('File name', { exact: true }).fill('firefox');
    await form.getByLabel('Version', { exact: true }).fill('128.*');
    await form.getByRole('button', { name: 'Create' }).click();
    await row('Firefox').waitFor();
    expect(await row('Firefox').textContent()).toContain('128.*');
    expect(await prisma().meteringRule.count({ where: { productName: 'Firefox', version: '128.*', siteCode: 'S01' } })).toBe(1);
  });

  it('disables, edits and deletes the rule', async () => {
    await page.getByRole('button', { name: 'Disable Firefox' }).click();
    await row('Firefox').getByText('disabled').waitFor();
    await page.getByRole('button', { name: 'Edit Firefox' }).click();
    const form = page.getByRole('form', { name: 'Edit rule Firefox' });
    await form.getByLabel('Product name', { exact: true }).fill('Firefox ESR');
    await form.getByRole('button', { name: 'Save' }).click();
    await row('Firefox ESR').waitFor();
    expect(await prisma().meteringRule.findFirst({ where: { productName: 'Firefox ESR' }, select: { enabled: true } })).toEqual({ enabled: false });
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Delete Firefox ESR' }).click();
    await page.getByText('No software metering rules yet.').waitFor();
  });

  it('imports rules from CSV and lists each refused row by line', async () => {
    await page.getByRole('button', { name: 'Import CSV' }).click();
    const panel = page.getByRole('region', { name: 'Import rules' });
    await panel
      .getByLabel('CSV', { exact: true })
      .fill(['Product Name,File Name,Version', 'Code,/usr/share/code/code,1.*', 'Broken,,1', 'Gimp,gimp,2 10', 'Vim,vim,'].join('\n'));
    await panel.getByRole('button', { name: 'Import' }).click();
    await panel.getByRole('status').filter({ hasText: 'Imported 2 rules; refused 2.' }).waitFor();
    expect(await panel.getByRole('list', { name: 'Refused rows' }).getByRole('listitem').allTextContents()).toEqual([
      'Line 3: fileName is required',
      'Line 4: version may hold only letters, digits, . - + _ ~ : and the wildcards * and ?',
    ]);
    await row('Code').waitFor();
    await row('Vim').waitFor();
    expect(await page.getByTestId('metering-rule-row').count()).toBe(2);
  });

  it("imports a spreadsheet's own file: semicolons, in Windows-1252", async () => {
    const panel = page.getByRole('region', { name: 'Import rules' });
    if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Import CSV' }).click();
    // What a spreadsheet on Windows saves as "CSV" where the comma is the decimal mark: ü is the byte 0xFC.
    const text = 'Product Name;File Name;Version\r\nBüro Suite;buero;*\r\n';
    const bytes = Buffer.from([...text].map((c) => (c === 'ü' ? 0xfc : c.charCodeAt(0))));
    await panel.getByLabel('CSV file').setInputFiles({ name: 'rules.csv', mimeType: 'text/csv', buffer: bytes });
    await expect.poll(() => panel.getByLabel('CSV', { exact: true }).inputValue()).toContain('Büro Suite;buero;*');
    await panel.getByRole('button', { name: 'Import' }).click();
    await panel.getByRole('status').filter({ hasText: 'Imported 1 rule; refused 0.' }).waitFor();
    await row('Büro Suite').waitFor();
    expect(errors).toEqual([]);
  });

  it('lists the first 1,000 refused rows of a file refused row by row, and says how many more', async () => {
    const panel = page.getByRole('region', { name: 'Import rules' });
    if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Import CSV' }).click();
    // Every row without a product: a file of 2 MiB holds some 500,000 of them, a list the page would stall on.
    await panel.getByLabel('CSV', { exact: true }).fill(['Product Name,File Name', ...Array.from({ length: 1500 }, (_, i) => `,f${i}`)].join('\n'));
    await panel.getByRole('button', { name: 'Import' }).click();
    await panel.getByRole('status').filter({ hasText: 'Imported 0 rules; refused 1500.' }).waitFor();
    const refused = panel.getByRole('list', { name: 'Refused rows' }).getByRole('listitem');
    expect(await refused.count()).toBe(1000);
    expect(await refused.last().textContent()).toBe('Line 1001: productName is required');
    await panel.getByText('… and 500 more refused rows.').waitFor();
    expect(errors).toEqual([]);
  });

  it("opens a rule's report: usage per month, who ran it, and computers with it installed but not run in N days", async () => {
    const rule = await prisma().meteringRule.create({ data: { productName: 'Inkscape', fileName: 'inkscape', siteCode: 'S01' } });
    const devices = (await pool().query<{ id: number; name: string }>(`SELECT id, name FROM device ORDER BY id LIMIT 3`)).rows;
    const started = new Date(Date.now() - 3_600_000);
    const usage = (key: string, userName: string) => ({
      ruleId: rule.id,
      usageKey: key,
      startedAt: started,
      endedAt: new Date(started.getTime() + 1_800_000),
      userName,
      processId: 7,
      filePath: '/usr/bin/inkscape',
      fileVersion: '1.2',
      endEstimated: false,
    });
    await insertMeteringUsage(pool(), devices[0].id, [usage('r1', 'alice'), usage('r2', 'bob')]);
    await setInstalledSoftware(devices[0].id, [{ name: 'inkscape', version: '1.2.2-2' }]);
    await setInstalledSoftware(devices[1].id, [{ name: 'inkscape', version: '1.2.2-2' }]);
    while (await summarizeMeteringUsage({ db: pool() }));

    await page.goto(`${server.url}/assets/software-metering`);
    await page.getByRole('link', { name: 'Inkscape' }).click();
    await page.waitForURL(new RegExp(`/assets/software-metering/${rule.id}$`));
    await page.getByRole('img', { name: 'Usage per month: peak 2 runs' }).waitFor();
    const month = `${started.toISOString().slice(0, 7)}-01`;
    // Runs, computers, users, hours; and both runs were in progress at once.
    expect(await page.getByTestId(`usage-month-${month}`).textContent()).toMatch(/2\s*1\s*2\s*1\s*2$/);
    expect(await page.getByTestId('most-at-once').first().textContent()).toMatch(/^most runs at once: 2, \w{3} \d{1,2}, \d\d:\d\d UTC$/);
    await page.getByRole('img', { name: /^Runs at once by hour of day: busiest on average at \d\d:00 \([\d.]+\), at most 2$/ }).waitFor();
    expect(await page.getByTestId('summarizer-progress').textContent()).toMatch(/^Every run received for this rule is counted \(runs last counted/);
    const [usageCsv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Months CSV' }).click()]);
    expect(usageCsv.suggestedFilename()).toBe(`metering-rule-${rule.id}-usage-per-month.csv`);
    const usageLines = (await readFile(await usageCsv.path(), 'utf8')).split('\r\n');
    expect(usageLines).toHaveLength(1 + 12 + 1);
    expect(usageLines.at(-2)).toMatch(new RegExp(`^${month.slice(0, 7)},2,1,2,1\\.00,2,\\d{4}-`));
    // Who has it open now is a live query, offered filled in on Client Operations.
    await page.getByRole('link', { name: 'Ask the clients with a live query' }).click();
    await page.waitForURL(/\/monitoring\/client-operations\?liveQuery=/);
    expect(await page.getByLabel('Action').inputValue()).toBe('LIVE_QUERY');
    expect(await page.getByLabel('Query').inputValue()).toBe('processes\n| where name = "inkscape"\n| project user, pid, command');
    // A liveQuery the page cannot take (repeated, empty, over 4,000 characters) is ignored: the form opens as always.
    for (const query of ['liveQuery=a&liveQuery=b', 'liveQuery=', `liveQuery=${'x'.repeat(4001)}`]) {
      await page.goto(`${server.url}/monitoring/client-operations?${query}`);
      await page.getByLabel('Action').waitFor();
      expect(await page.getByLabel('Action').inputValue(), query.slice(0, 30)).toBe('DOWNLOAD_COMPUTER_POLICY');
    }
    await page.goto(`${server.url}/assets/software-metering/${rule.id}`);
    await page.getByRole('img', { name: 'Usage per month: peak 2 runs' }).waitFor();
    expect(await page.getByTestId('ran-computer').count()).toBe(1);
    expect(await page.getByTestId('ran-computer').textContent()).toContain(devices[0].name);
    // Each computer that ran it opens its Resource Explorer at the metered programs it ran.
    expect(await page.getByTestId('ran-computer').getByRole('link', { name: devices[0].name }).getAttribute('href')).toBe(
      `/assets/devices/${devices[0].id}?tab=metering`,
    );
    expect(await page.getByTestId('ran-user').allTextContents()).toHaveLength(2);
    // Each list downloads whole as CSV (the page shows the first 200 rows).
    const ran = page.getByRole('region', { name: 'Computers that ran it' });
    const [download] = await Promise.all([page.waitForEvent('download'), ran.getByRole('link', { name: 'CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`metering-rule-${rule.id}-computers.csv`);
    expect((await readFile(await download.path(), 'utf8')).split('\r\n').slice(1, 2)).toEqual([
      expect.stringMatching(new RegExp(`^${devices[0].name},${devices[0].id},.+Z,(alice|bob),2$`)),
    ]);
    // Installed on two computers; one ran it an hour ago, so in 90 days only the other is unused.
    await page.getByTestId('unused-computer').first().waitFor();
    expect(await page.getByTestId('unused-computer').allTextContents()).toEqual([expect.stringContaining(devices[1].name)]);
    const form = page.getByRole('region', { name: 'Not run in N days' });
    await form.getByLabel('Not run in (days)').fill('0');
    await form.getByRole('button', { name: 'Show' }).click();
    await expectFieldError(form, 'Not run in (days)', 'must be 1 or more');
    await form.getByLabel('Not run in (days)').fill('1');
    await form.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => page.getByTestId('unused-summary').textContent()).toContain('in the last 1 day.');
    expect(await form.getByRole('link', { name: 'CSV' }).getAttribute('href')).toBe(`/api/metering-rules/${rule.id}/unused.csv?days=1`);
    // Back on the rules, the rule shows this month's use (none when its runs fell in the month before).
    await page.goto(`${server.url}/assets/software-metering`);
    const thisMonth = started.toISOString().slice(0, 7) === new Date().toISOString().slice(0, 7) ? '2 runs · 1 computer · 2 at once' : '—';
    await expect.poll(() => row('Inkscape').getByTestId('rule-this-month').textContent()).toBe(thisMonth);
    expect(errors).toEqual([]);
  });

  it('shows a read-only analyst the rules without controls', async () => {
    const other = await browser.newPage();
    const otherErrors = watchErrors(other);
    await signInThroughPage(other, server.url, 'meter-analyst', 'meter-analyst-password', '/assets/software-metering');
    await other.getByTestId('metering-rule-row').first().waitFor();
    expect(await other.getByTestId('metering-rule-row').count()).toBe(4);
    expect(await other.getByRole('button', { name: 'New rule' }).count()).toBe(0);
    // Reading the rules includes taking them away as CSV.
    expect(await other.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe('/api/metering-rules/export.csv');
    expect(await other.getByRole('button', { name: /^Delete / }).count()).toBe(0);
    // A report reads the same, without the live query a read-only analyst may not run.
    await other.getByTestId('metering-rule-row').first().getByRole('link').first().click();
    await other.getByTestId('summarizer-progress').waitFor();
    expect(await other.getByRole('link', { name: 'Ask the clients with a live query' }).count()).toBe(0);
    await other.close();
    expect(otherErrors).toEqual([]);
    expect(errors).toEqual([]);
  });
  it("sorts the rules by this month's use, least used first, then the other way", async () => {
    const [busy, quiet] = await Promise.all(
      ['Sort Busy', 'Sort Quiet', 'Sort Idle'].map((productName) =>
        prisma().meteringRule.create({ data: { productName, fileName: productName.replace(' ', '-').toLowerCase(), siteCode: 'S01' } }),
      ),
    );
    const device = (await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY id LIMIT 1`)).rows[0].id;
    const now = new Date();
    const run = (ruleId: number, key: string) => ({
      ruleId,
      usageKey: key,
      startedAt: now,
      endedAt: new Date(now.getTime() + 60_000),
      userName: 'alice',
      processId: 9,
      filePath: '/usr/bin/tool',
      fileVersion: '',
      endEstimated: false,
    });
    await insertMeteringUsage(pool(), device, [run(busy.id, 's1'), run(busy.id, 's2'), run(busy.id, 's3'), run(quiet.id, 's4')]);
    while (await summarizeMeteringUsage({ db: pool() }));

    await page.goto(`${server.url}/assets/software-metering`);
    await page.getByLabel('Search rules').fill('Sort');
    const products = () => page.getByTestId('metering-rule-row').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-product')));
    await expect.poll(products).toEqual(['Sort Busy', 'Sort Idle', 'Sort Quiet']);
    const heading = page.getByRole('columnheader', { name: 'This month' });
    await heading.getByRole('button').click();
    await expect.poll(products).toEqual(['Sort Idle', 'Sort Quiet', 'Sort Busy']);
    expect(await heading.getAttribute('aria-sort')).toBe('ascending');
    await heading.getByRole('button').click();
    await expect.poll(products).toEqual(['Sort Busy', 'Sort Quiet', 'Sort Idle']);
    expect(await heading.getAttribute('aria-sort')).toBe('descending');
    expect(await page.getByTestId('rule-this-month').allTextContents()).toEqual([
      '3 runs · 1 computer · 3 at once',
      '1 run · 1 computer · 1 at once',
      '—',
    ]);
    await page.getByRole('columnheader', { name: 'Product' }).getByRole('button').click();
    await expect.poll(products).toEqual(['Sort Busy', 'Sort Idle', 'Sort Quiet']);
    expect(errors).toEqual([]);
  });

  it('disables, enables and deletes the ticked rules at once', async () => {
    await prisma().meteringRule.createMany({
      data: ['Bulk One', 'Bulk Two', 'Bulk Three'].map((productName) => ({
        productName,
        fileName: productName.replace(' ', '-').toLowerCase(),
        siteCode: 'S01',
      })),
    });
    await page.goto(`${server.url}/assets/software-metering`);
    const rows = page.getByTestId('metering-rule-row');
    await rows.first().waitFor();
    const count = await rows.count();
    expect(count).toBeGreaterThan(2);
    const toolbar = page.getByRole('toolbar', { name: 'Selected rules' });
    expect(await toolbar.count()).toBe(0);

    await page.getByLabel('Select every rule shown').check();
    await expect.poll(() => toolbar.getByTestId('selected-count').textContent()).toBe(`${count} rules selected`);
    await toolbar.getByRole('button', { name: 'Disable' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /^Disabled \d+ rules?\./ })
      .waitFor();
    expect(await toolbar.count()).toBe(0);
    await expect.poll(() => rows.filter({ hasText: 'disabled' }).count()).toBe(count);

    const [first, second] = await rows.evaluateAll((trs) => trs.slice(0, 2).map((tr) => tr.getAttribute('data-product')!));
    await page.getByLabel(`Select ${first}`).check();
    await page.getByLabel(`Select ${second}`).check();
    await page.getByLabel(`Select ${second}`).uncheck();
    await toolbar.getByRole('button', { name: 'Enable' }).click();
    await page.getByRole('status').filter({ hasText: 'Enabled 1 rule.' }).waitFor();
    await expect.poll(() => row(first).textContent()).not.toContain('disabled');

    await page.getByLabel('Select every rule shown').check();
    page.once('dialog', (dialog) => {
      expect(dialog.message()).toBe(`Delete ${count} rules? Their recorded usage stays.`);
      void dialog.accept();
    });
    await toolbar.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Deleted ${count} rules.` })
      .waitFor();
    await page.getByText('No software metering rules yet.').waitFor();
    expect(errors).toEqual([]);
  });

  it('shows the first 1,000 of more rules, says so, and a search narrows them', async () => {
    await pool().query(
      `INSERT INTO metering_rule (product_name, file_name, site_code, updated_at)
       SELECT 'Many ' || lpad(n::text, 4, '0'), 'many-' || n, 'S01', now() FROM generate_series(1, 1500) AS n`,
    );
    await page.goto(`${server.url}/assets/software-metering`);
    await page.getByTestId('rules-truncated').filter({ hasText: 'The first 1,000 of 1,500 rules are shown' }).waitFor({ timeout: 30_000 });
    const rows = page.getByTestId('metering-rule-row');
    expect(await rows.count()).toBe(1000);
    // Every rule shown is one bulk change's worth.
    await page.getByLabel('Select every rule shown').check();
    await page.getByTestId('selected-count').filter({ hasText: '1,000 rules selected' }).waitFor();
    await page.getByLabel('Select every rule shown').uncheck();
    await page.getByLabel('Search rules').fill('Many 14');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(100);
    expect(await page.getByTestId('rules-truncated').count()).toBe(0);
    await pool().query(`DELETE FROM metering_rule WHERE product_name LIKE 'Many %'`);
    expect(errors).toEqual([]);
  });
});
