import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { startAppServer, type AppServer } from '../support/app-server';
import { expectFieldError, expectInViewport, launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'status-admin-password';
const hostile = '<script>window.__injected = true</script><img src=x onerror="window.__injected = true">';

/** Stored messages straight into the table, newest received last: `count` 10907s across ten systems, one of them an error. */
async function storeMessages(count: number) {
  await pool().query(
    `INSERT INTO status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at,
                                 process_id, thread_id, insertion_strings, properties, expires_at)
     SELECT gen_random_uuid(), 10907, 'INFORMATIONAL', 'DETAIL', 'CLIENT', 'S01', 'WKS' || lpad((n % 10)::text, 4, '0'),
            'SMS_SOFTWARE_METERING_AGENT', now() - interval '2 hours' + n * interval '1 ms', now() - interval '1 hour' + n * interval '1 ms',
            4000, 100, ARRAY['S01' || lpad(n::text, 5, '0'), 'app' || n || '.exe'], '{}'::jsonb, now() + interval '1 day'
     FROM generate_series(1, $1) AS n`,
    [count],
  );
}

function message(overrides: Partial<StatusMessage>): StatusMessage {
  return {
    uid: randomUUID(),
    messageId: 10002,
    severity: 'INFORMATIONAL',
    type: 'MILESTONE',
    source: 'CLIENT',
    siteCode: 'S01',
    systemName: 'WKS0001',
    component: 'Software Distribution',
    sourceTime: new Date(),
    insertionStrings: [],
    properties: {},
    ...overrides,
  };
}

/**
 * A fresh database with the demo site and a Full Administrator, `prepare`d further, a running
 * Sitebox and a Chromium page signed in at `path`. The fields fill in before the first test.
 */
function signedInConsole(options: { userName: string; path: string; devices: number; prepare?: () => Promise<void>; env?: Record<string, string> }) {
  const ctx = {} as { server: AppServer; browser: Browser; page: Page; errors: string[] };
  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: options.devices });
    await prisma().consoleUser.create({
      data: { userName: options.userName, role: 'FULL_ADMINISTRATOR', passwordHash: await hashPassword(password), mustChangePassword: false },
    });
    await options.prepare?.();
    ctx.server = await startAppServer({ databaseUrl: url, env: options.env });
    ctx.browser = await launchBrowser();
    ctx.page = await ctx.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    ctx.errors = watchErrors(ctx.page);
    await signInThroughPage(ctx.page, ctx.server.url, options.userName, password, options.path);
    await ctx.page.waitForURL(`**${options.path}`);
  }, 240_000);
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}

describe('status messages in Chromium', () => {
  const ctx = signedInConsole({
    userName: 'statusadmin',
    path: '/monitoring/status-messages',
    devices: 20,
    env: { SITEBOX_WORKERS: 'status-manager' },
    prepare: async () => {
      await storeMessages(3000);
      // Through Status Manager (the default rules keep them), so they arrive as the product stores them.
      await appendToInbox({
        db: pool(),
        origin: 'mp',
        messages: [
          message({
            messageId: 10005,
            severity: 'ERROR',
            systemName: 'WKS0042',
            insertionStrings: ['S0120001', hostile, 'S0100001'],
            properties: { AdvertisementID: 'S0120001', PackageID: 'S0100001', Note: hostile },
          }),
        ],
      });
    },
  });
  let page: Page;
  let server: AppServer;
  let errors: string[];
  beforeAll(() => {
    ({ page, server, errors } = ctx);
  });

  const rows = () => page.getByTestId('status-message-row');
  const count = () => page.getByTestId('status-message-count');
  const editFilters = () => page.getByRole('button', { name: 'Edit filters' });
  const chips = () => page.getByTestId('status-message-filter-chip').allTextContents();

  it('reads the newest messages page by page into a virtualized list', async () => {
    await count().filter({ hasText: '200 messages loaded' }).waitFor();
    // Only the rows in view are in the page.
    const inDom = await rows().count();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(80);
    // Scrolling to the end reads the next page after the cursor.
    await page.getByTestId('status-message-scroller').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await count().filter({ hasText: '400 messages loaded' }).waitFor();
    expect(await rows().count()).toBeLessThan(80);
    await page.getByTestId('status-manager-panel').waitFor();
  });

  it('shows the selected message in full, with script in its text shown as text', async () => {
    await page.goto(`${server.url}/monitoring/status-messages?severity=ERROR`);
    await rows().first().waitFor();
    // Status Manager stored the hostile message while the page loaded.
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="status-message-row"]').length === 1);
    await rows().first().click();
    const details = page.getByTestId('status-message-details');
    await details.waitFor();
    expect(await page.getByTestId('status-message-description').textContent()).toContain(hostile);
    expect(await details.getByRole('row', { name: /AdvertisementID/ }).textContent()).toContain('S0120001');
    expect(await details.getByRole('row', { name: /Note/ }).textContent()).toContain(hostile);
    expect(await page.getByTestId('status-message-insertion-strings').textContent()).toContain(hostile);
    expect(await details.locator('script, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
  });

  it("shows the selected message's details beside the list at 1280x800, chosen with the mouse or the arrow keys", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    try {
      await page.goto(`${server.url}/monitoring/status-messages?messageId=10907`);
      await count().filter({ hasText: '200 messages loaded' }).waitFor();
      const scroller = page.getByTestId('status-message-scroller');
      const details = page.getByTestId('status-message-details');
      await rows().nth(2).click();
      await details.filter({ hasText: 'S0102998' }).waitFor();
      await expectInViewport(page, details);
      await expectInViewport(page, scroller);
      expect(await page.locator('main').evaluate((m) => m.scrollTop)).toBe(0);
      // With the filters folded into one line, the list has room for an administrator's reading.
      expect(await editFilters().getAttribute('aria-expanded')).toBe('false');
      expect(await chips()).toEqual(['Message ID: 10907']);
      const rowsInView = await scroller.evaluate((el) => {
        const box = el.getBoundingClientRect();
        return [...el.querySelectorAll('[data-testid="status-message-row"]')].filter((r) => {
          const row = r.getBoundingClientRect();
          return row.top >= box.top && row.bottom <= box.bottom;
        }).length;
      });
      expect(rowsInView).toBeGreaterThanOrEqual(15);
      await scroller.focus();
      await page.keyboard.press('ArrowDown');
      await details.filter({ hasText: 'S0102997' }).waitFor();
      expect(await rows().nth(3).getAttribute('aria-selected')).toBe('true');
      // The list still reads on by itself, and the details stay where they are.
      await scroller.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await count().filter({ hasText: '400 messages loaded' }).waitFor();
      await expectInViewport(page, details);
    } finally {
      await page.setViewportSize({ width: 1400, height: 1000 });
    }
  });

  it('filters by severity, system, message ID and property value, and names a bad filter', async () => {
    await page.goto(`${server.url}/monitoring/status-messages`);
    await rows().first().waitFor();
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Message ID').fill('ten');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await expectFieldError(filters, 'Message ID', 'Message ID must be a number');

    await filters.getByLabel('Message ID').fill('10907');
    await filters.getByLabel('System').fill('WKS0003');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/system=WKS0003/);
    await count().filter({ hasText: '200 messages loaded' }).waitFor();
    // Applied, the form folds away into its chips.
    await filters.waitFor({ state: 'hidden' });
    expect(await editFilters().getAttribute('aria-expanded')).toBe('false');
    expect(await chips()).toEqual(['System: WKS0003', 'Message ID: 10907']);
    await page.getByTestId('status-message-scroller').evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await count()
      .filter({ hasText: /^300 messages$/ })
      .waitFor();
    const systems = await rows().locator('td:nth-child(5)').allTextContents();
    expect(new Set(systems)).toEqual(new Set(['WKS0003']));

    await editFilters().click();
    await filters.getByRole('button', { name: 'Clear' }).click();
    // Clearing asks for no filter: the form stays open for the next ones.
    await page.waitForURL((u) => !u.search.includes('system='));
    expect(await editFilters().getAttribute('aria-expanded')).toBe('true');
    await filters.getByLabel('Property', { exact: true }).fill('PackageID');
    await filters.getByLabel('Property value').fill('S0100001');
    await filters.getByLabel('Error').check();
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/propertyValue=S0100001/);
    await count()
      .filter({ hasText: /^1 message$/ })
      .waitFor();
    expect(await rows().first().textContent()).toContain('WKS0042');
    expect(await chips()).toEqual(['Severity: Error', 'Property: PackageID = S0100001']);
  });

  it('folds the filters into a summary line that opens from the keyboard and keeps what was typed', async () => {
    // Nothing asked for yet: the forms are open.
    await page.goto(`${server.url}/monitoring/status-messages`);
    await rows().first().waitFor();
    const filters = page.getByRole('form', { name: 'Filters' });
    expect(await editFilters().getAttribute('aria-expanded')).toBe('true');
    const panel = await editFilters().getAttribute('aria-controls');
    expect(await page.locator(`[id="${panel}"]`).getByRole('form', { name: 'Filters' }).count()).toBe(1);

    await filters.getByLabel('System').fill('WKS0004');
    await editFilters().focus();
    await page.keyboard.press('Enter');
    await filters.waitFor({ state: 'hidden' });
    expect(await editFilters().getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Space');
    await filters.waitFor();
    expect(await filters.getByLabel('System').inputValue()).toBe('WKS0004');

    // A list asked for by its URL starts folded; one the server refuses opens on its errors.
    await page.goto(`${server.url}/monitoring/status-messages?range=24h&severity=ERROR,WARNING&component=SMS_STATUS_MANAGER`);
    await editFilters().waitFor();
    expect(await editFilters().getAttribute('aria-expanded')).toBe('false');
    expect(await chips()).toEqual(['Last 24 hours', 'Severity: Error, Warning', 'Component: SMS_STATUS_MANAGER']);
    const logged = errors.length;
    await page.goto(`${server.url}/monitoring/status-messages?messageId=ten`);
    await expectFieldError(filters, 'Message ID', 'Message ID must be a number');
    expect(await editFilters().getAttribute('aria-expanded')).toBe('true');
    // The refused read is the only error the browser logged meanwhile.
    expect(errors.slice(logged).every((e) => e.includes('400'))).toBe(true);
    errors.splice(logged);
  });

  it('runs a built-in query with its prompt, and saves a query that asks for a value', async () => {
    await page.goto(`${server.url}/monitoring/status-messages`);
    const picker = page.getByRole('form', { name: 'Status message query' });
    await picker.getByLabel('Query').selectOption({ label: 'All Status Messages from a Specific System' });
    await picker.getByRole('button', { name: 'Run query' }).click();
    await expectFieldError(picker, 'System name', 'System name is required by this query');
    await picker.getByLabel('System name').fill('WKS0007');
    await picker.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/prompt\.system=WKS0007/);
    expect(new URL(page.url()).searchParams.get('query')).toBe('builtin:system');
    await count().filter({ hasText: '200 messages loaded' }).waitFor();
    expect(new Set(await rows().locator('td:nth-child(5)').allTextContents())).toEqual(new Set(['WKS0007']));
    expect(await chips()).toEqual(['Query: All Status Messages from a Specific System', 'System name: WKS0007']);

    // Save "component X at a system to be asked for".
    await page.goto(`${server.url}/monitoring/status-messages?component=SMS_SOFTWARE_METERING_AGENT&system=WKS0001`);
    await editFilters().click();
    await picker.getByRole('button', { name: 'Save filters as query…' }).click();
    const save = page.getByRole('form', { name: 'Save as query' });
    // The keyboard goes with it: into the name as the form opens, back to the button on Escape.
    expect(await save.getByLabel('Query name').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await save.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.textContent === 'Save filters as query…');
    await page.keyboard.press('Enter');
    await save.waitFor();
    await save.getByRole('button', { name: 'Save query' }).click();
    await expectFieldError(save, 'Query name', 'Query name is required');
    await save.getByLabel('Query name').fill('Metering by system');
    await save.getByRole('checkbox', { name: /System: WKS0001/ }).check();
    await save.getByRole('button', { name: 'Save query' }).click();
    await save.waitFor({ state: 'detached' });
    await picker.getByLabel('Query').selectOption({ label: 'Metering by system' });
    await picker.getByLabel('System', { exact: true }).fill('WKS0005');
    const read = page.waitForResponse((r) => r.url().includes('/api/status-messages?') && r.url().includes('prompt.system=WKS0005'));
    await picker.getByRole('button', { name: 'Run query' }).click();
    await page.waitForURL(/prompt\.system=WKS0005/);
    // The query decides the fields it names: the list's own filters on them before are dropped, not
    // sent beside it (system=WKS0001 against the system asked for, refused 400).
    expect((await read).status()).toBe(200);
    expect(new URL(page.url()).searchParams.has('system')).toBe(false);
    expect(new URL(page.url()).searchParams.has('component')).toBe(false);
    const saved = await prisma().statusMessageQuery.findUniqueOrThrow({ where: { name: 'Metering by system' } });
    expect(saved.criteria).toEqual({ component: 'SMS_SOFTWARE_METERING_AGENT', system: { prompt: 'System' } });
  });

  it('exports the filtered list as CSV', async () => {
    await page.goto(`${server.url}/monitoring/status-messages?system=WKS0009&messageId=10907`);
    const link = page.getByRole('link', { name: 'Export CSV' });
    await link.waitFor();
    const href = await link.getAttribute('href');
    expect(href).toContain('system=WKS0009');
    const response = await page.request.get(`${server.url}${href}`);
    expect(response.headers()['content-type']).toContain('text/csv');
    const lines = (await response.text()).trim().split('\r\n');
    expect(lines).toHaveLength(301);
    expect(lines[1]).toContain('WKS0009');
  });

  it('tails new messages live, only those that pass the filters', async () => {
    await page.goto(`${server.url}/monitoring/status-messages?component=Live%20Component`);
    await page.getByText('Showing new messages as they are stored').waitFor();
    await count()
      .filter({ hasText: /^0 messages$/ })
      .waitFor();
    await appendToInbox({
      db: pool(),
      origin: 'mp',
      messages: [
        message({ component: 'Live Component', systemName: 'WKS0011', insertionStrings: ['S0120002', '<b>bold?</b>'] }),
        message({ component: 'Another Component', systemName: 'WKS0012' }),
      ],
    });
    await count()
      .filter({ hasText: /^1 message$/ })
      .waitFor({ timeout: 15_000 });
    expect(await rows().first().textContent()).toContain('WKS0011');
  });

  it('holds new messages back while the reader has scrolled down, and shows them on request', async () => {
    await page.goto(`${server.url}/monitoring/status-messages?system=WKS0001&messageId=10907`);
    await count().filter({ hasText: '200 messages loaded' }).waitFor();
    await page.getByText('Showing new messages as they are stored').waitFor();
    const firstBefore = await rows().first().textContent();
    await page.getByTestId('status-message-scroller').evaluate((el) => el.scrollTo(0, 1500));
    await page.waitForFunction(() => document.querySelector('[data-testid="status-message-scroller"]')!.scrollTop >= 1500);
    // The list renders the rows of its new window a frame or two after the scroll: read the top row once it has.
    await page.waitForFunction((before) => document.querySelector('[data-testid="status-message-row"]')?.textContent !== before, firstBefore);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const topRow = await rows().first().textContent();
    await appendToInbox({
      db: pool(),
      origin: 'mp',
      messages: [message({ messageId: 10907, systemName: 'WKS0001', insertionStrings: ['S0199999', 'held.exe'] })],
    });
    const show = page.getByRole('button', { name: '1 new message — show' });
    await show.waitFor({ timeout: 15_000 });
    expect(await rows().first().textContent()).toBe(topRow);
    await show.click();
    await page.waitForFunction(() => document.querySelector('[data-testid="status-message-row"]')?.textContent?.includes('held.exe'));
    await count().filter({ hasText: '201 messages loaded' }).waitFor();
  });

  it('keeps a named time range current: "last hour" is measured from each read', async () => {
    await page.goto(`${server.url}/monitoring/status-messages`);
    // Rows come from the browser's first read: the form is live by then (a click before would submit it natively).
    await rows().first().waitFor();
    const filters = page.getByRole('form', { name: 'Filters' });
    await filters.getByLabel('Time range').selectOption('1h');
    await filters.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/range=1h/);
    // The list of the last hour has replaced the 200 loaded before (none of them from the 3,000 older ones).
    await page.waitForFunction(() => {
      const shown = /^(\d+) messages?$/.exec(document.querySelector('[data-testid="status-message-count"]')?.textContent ?? '');
      return shown !== null && Number(shown[1]) < 50;
    });
    await page.getByText('The program "S0100001" of package').first().waitFor();
    // The 3,000 metering messages were received just over an hour before the page was read.
    const components = await rows().locator('td:nth-child(6)').allTextContents();
    expect(components).not.toContain('SMS_SOFTWARE_METERING_AGENT');
    expect(errors).toEqual([]);
  });
});

describe('status filter rules in Chromium', () => {
  const ctx = signedInConsole({ userName: 'rulesadmin', path: '/administration/status-filter-rules', devices: 5 });
  let page: Page;
  let errors: string[];
  beforeAll(() => {
    ({ page, errors } = ctx);
  });

  const names = () => page.getByTestId('filter-rule-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rule-name')));

  it('lists the rules in priority order', async () => {
    await page.getByTestId('filter-rule-row').first().waitFor();
    expect(await names()).toEqual([
      'Write audit messages to the database',
      'Replicate server errors to the parent site',
      'Keep software metering rule acknowledgements (10907) for one day only',
      'Write all other messages to the database',
    ]);
    expect(await page.getByTestId('filter-rule-row').nth(2).textContent()).toContain('do not process lower-priority rules');
  });

  it('creates a rule through a form that names each field it refuses', async () => {
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New status filter rule' });
    await form.getByLabel('Message ID').fill('12x');
    await form.getByLabel('Write to the database').check();
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expectFieldError(form, 'Rule name', 'Rule name is required');
    await expectFieldError(form, 'Message ID', 'Message ID must be a whole number');
    await expectFieldError(form, 'Keep for (days)', 'Keep for (days) is required when messages are written to the database');

    await form.getByLabel('Rule name').fill('Errors from WKS0001 to a webhook');
    await form.getByLabel('Message ID').fill('');
    await form.getByLabel('Severity').selectOption('ERROR');
    await form.getByLabel('System').fill('WKS0001');
    await form.getByLabel('Keep for (days)').fill('90');
    await form.getByLabel('Run a program').selectOption('webhook');
    await form.getByLabel('Webhook URL').fill('ftp://example.com/hook');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await expectFieldError(form, 'Webhook URL', 'Webhook URL must be an http or https URL');
    await form.getByLabel('Webhook URL').fill('https://hooks.example.com/sitebox');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('filter-rule-row').nth(4).waitFor();
    expect((await names())[4]).toBe('Errors from WKS0001 to a webhook');
    expect(await page.getByTestId('filter-rule-row').nth(4).textContent()).toContain('Error messages from system WKS0001');
    const audit = await pool().query(`SELECT 1 FROM status_inbox WHERE messages::text LIKE '%Errors from WKS0001 to a webhook%'
                                      UNION ALL SELECT 1 FROM status_message WHERE insertion_strings::text LIKE '%Errors from WKS0001 to a webhook%'`);
    expect(audit.rowCount).toBeGreaterThan(0);
  });

  it('moves, edits, disables and enables a rule', async () => {
    const rule = 'Errors from WKS0001 to a webhook';
    await page.getByRole('button', { name: `Move ${rule} up` }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="filter-rule-row"]')[3]?.getAttribute('data-rule-name') === n, rule);
    await page.getByRole('button', { name: `Move ${rule} up` }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="filter-rule-row"]')[2]?.getAttribute('data-rule-name') === n, rule);
    expect((await names())[3]).toBe('Keep software metering rule acknowledgements (10907) for one day only');

    await page.getByRole('button', { name: `Edit ${rule}` }).click();
    const form = page.getByRole('form', { name: `Edit rule ${rule}` });
    await form.getByLabel('Do not process lower-priority status filter rules').check();
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    await page.getByTestId('filter-rule-row').nth(2).filter({ hasText: 'do not process lower-priority rules' }).waitFor();

    await page.getByRole('button', { name: `Disable ${rule}` }).click();
    await page.getByRole('button', { name: `Enable ${rule}` }).waitFor();
    const stored = await prisma().statusFilterRule.findUniqueOrThrow({ where: { name: rule } });
    expect(stored).toMatchObject({ enabled: false, stopProcessing: true });
    await page.getByRole('button', { name: `Enable ${rule}` }).click();
    await page.getByRole('button', { name: `Disable ${rule}` }).waitFor();
  });

  it('tests a message: which rules match, which are reached, what Status Manager would do', async () => {
    const box = page.getByRole('form', { name: 'Test a message' });
    await box.getByRole('button', { name: 'Test against the rules' }).click();
    const lines = page.getByTestId('rule-test-line');
    await lines.first().waitFor();
    const text = await lines.allTextContents();
    expect(text[3]).toContain('Matches, and stops here');
    expect(text[4]).toContain('Matches, but is not reached');
    expect(text[2]).toContain('Does not match');
    expect(await page.getByTestId('rule-test-outcome').textContent()).toContain('write to the database (keep 1 day)');

    await box.getByLabel('Message ID').fill('502');
    await box.getByLabel('Severity').selectOption('ERROR');
    await box.getByLabel('Source').selectOption('CLIENT');
    await box.getByLabel('Properties, one Name=Value per line').fill('not a pair');
    await box.getByRole('button', { name: 'Test against the rules' }).click();
    await expectFieldError(box, 'Properties, one Name=Value per line', 'Properties line "not a pair" is not Name=Value');
    await box.getByLabel('Properties, one Name=Value per line').fill('');
    await box.getByLabel('Site code').fill('TOOLONG');
    await box.getByRole('button', { name: 'Test against the rules' }).click();
    await expectFieldError(box, 'Site code', 'Site code must be a 3-character site code');
    await box.getByLabel('Site code').fill('S01');
    await box.getByRole('button', { name: 'Test against the rules' }).click();
    await page.getByTestId('rule-test-outcome').filter({ hasText: 'call webhook https://hooks.example.com/sitebox' }).waitFor();
    expect(await lines.nth(2).textContent()).toContain('Matches, and stops here');
    expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
  });
});
