import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'quarantine-admin-password';

/** A client message whose property name holds a lone surrogate: the inbox takes it, jsonb does not. */
const poison = (systemName: string) => ({
  uid: randomUUID(),
  messageId: 10002,
  severity: 'INFORMATIONAL',
  type: 'MILESTONE',
  source: 'CLIENT',
  siteCode: 'S01',
  systemName,
  component: 'Software Distribution',
  sourceTime: new Date().toISOString(),
  insertionStrings: [],
  properties: { '\udfff': 'v' },
});

async function eventually<T>(check: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (;;) {
    const value = await check();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('quarantine in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const fixable = poison('WKS-FIXABLE');
  const hopeless = poison('WKS-HOPELESS');

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 5 });
    await prisma().consoleUser.create({
      data: { userName: 'quarantineadmin', role: 'FULL_ADMINISTRATOR', passwordHash: await hashPassword(password), mustChangePassword: false },
    });
    // Past the door: straight into the inbox.
    await pool().query(`INSERT INTO status_inbox (messages, message_count, origin) VALUES ($1::json, 2, 'mp')`, [
      JSON.stringify([fixable, hopeless]),
    ]);
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_WORKERS: 'status-manager' } });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await signInThroughPage(page, server.url, 'quarantineadmin', password, '/monitoring/status-messages');
    await page.waitForURL('**/monitoring/status-messages');
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('counts the items set aside, lists them with their error, and retries one and discards the other', async () => {
    const count = page.getByTestId('status-quarantined');
    await count.filter({ hasText: /^2$/ }).waitFor();
    await count.click();
    const dialog = page.getByRole('dialog', { name: 'Quarantine' });
    const rows = dialog.getByTestId('quarantined-item');
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);
    const fixableRow = rows.filter({ hasText: fixable.uid });
    expect(await fixableRow.textContent()).toContain('status-manager.inbox');
    expect(await fixableRow.textContent()).toMatch(/invalid input syntax for type json|surrogate/);

    // Someone fixes the message; retry sends it back to Status Manager, which stores it.
    await pool().query(`UPDATE quarantined_item SET payload = $2 WHERE item_key = $1`, [
      fixable.uid,
      JSON.stringify({ ...fixable, properties: { fixed: 'v' } }),
    ]);
    await dialog.getByRole('button', { name: `Retry ${fixable.uid}` }).click();
    await fixableRow.waitFor({ state: 'detached' });
    await eventually(
      () => pool().query(`SELECT 1 FROM status_message WHERE uid = $1`, [fixable.uid]),
      (r) => r.rowCount === 1,
    );

    // Discarding asks first, naming the item; dismissed, the item stays.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await dialog.getByRole('button', { name: `Discard ${hopeless.uid}` }).click();
    await expect.poll(() => asked.length).toBe(1);
    expect(asked[0]).toContain(`Discard ${hopeless.uid}`);
    expect(await rows.filter({ hasText: hopeless.uid }).count()).toBe(1);
    page.once('dialog', (d) => void d.accept());
    await dialog.getByRole('button', { name: `Discard ${hopeless.uid}` }).click();
    await dialog.getByText('No item is in quarantine').waitFor();
    await dialog.getByRole('button', { name: 'Close the quarantine' }).click();
    await count.filter({ hasText: /^0$/ }).waitFor();

    const { rows: decided } = await pool().query(`SELECT item_key, state::text, resolved_by FROM quarantined_item ORDER BY item_key`);
    expect(decided).toEqual(
      [
        { item_key: fixable.uid, state: 'RETRIED', resolved_by: 'quarantineadmin' },
        { item_key: hopeless.uid, state: 'DISCARDED', resolved_by: 'quarantineadmin' },
      ].sort((a, b) => a.item_key.localeCompare(b.item_key)),
    );
    const audits = await eventually(
      () =>
        pool().query(
          `SELECT insertion_strings[2] AS verb FROM status_message WHERE message_id = 30003 AND properties->>'ObjectType' = 'QuarantinedItem' ORDER BY id`,
        ),
      (r) => r.rowCount === 2,
    );
    expect(audits.rows.map((r) => r.verb)).toEqual(['RetryQuarantinedItem', 'DiscardQuarantinedItem']);
    expect(errors).toEqual([]);
  });
});
