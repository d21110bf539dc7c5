import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { startAppServer, type AppServer } from '../support/app-server';
import { expectFieldError, launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'scripts-password-1234';

describe('Scripts library in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  const pages: Page[] = [];
  const errors: string[][] = [];

  async function signedIn(userName: string) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    pages.push(page);
    errors.push(watchErrors(page));
    await signInThroughPage(page, server.url, userName, password, '/assets/scripts');
    await page.getByRole('heading', { level: 1, name: 'Scripts' }).waitFor();
    return page;
  }

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    for (const name of ['author', 'approver'])
      await pool().query(
        `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
         VALUES ($1, $1, 'FULL_ADMINISTRATOR', $2, false, now())`,
        [name, await hashPassword(password)],
      );
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_NOTIFICATION_PORT: 'off', SITEBOX_SEED_DEVICES: '0' } });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('one user writes a script, another approves it, and an edit withdraws the approval', async () => {
    const author = await signedIn('author');
    await author.getByRole('button', { name: 'New script' }).click();
    const form = author.getByRole('form', { name: 'New script' });
    await form.getByLabel('Timeout (seconds)').fill('0');
    await form.getByRole('button', { name: 'Create script' }).click();
    await expectFieldError(form, 'Name', 'Name is required');
    await expectFieldError(form, 'Timeout (seconds)', 'Timeout must be 1 or more');

    await form.getByLabel('Name', { exact: true }).fill('Disk usage');
    await form.getByLabel('Timeout (seconds)').fill('30');
    await form.getByLabel('Parameters').fill('[{"name":"Path","type":"string","required":true,"pattern":"/.*"}]');
    await form.getByLabel('Script (bash)').fill('#!/bin/bash\ndu -sh "$1"\n');
    await form.getByRole('button', { name: 'Create script' }).click();
    const authorRow = author.locator('tr[data-script="Disk usage"]');
    await authorRow.getByText('Awaiting approval').waitFor();
    expect(await authorRow.textContent()).toContain('Path: string');
    // The author is offered no Approve button for their own script.
    expect(await authorRow.getByRole('button', { name: 'Approve' }).count()).toBe(0);

    const approver = await signedIn('approver');
    const approverRow = approver.locator('tr[data-script="Disk usage"]');
    await approverRow.getByRole('button', { name: 'Approve' }).click();
    await approverRow.getByText('Approved by approver').waitFor();

    // Editing withdraws approval; the editor is now an author and cannot approve either.
    await approverRow.getByRole('button', { name: 'Edit' }).click();
    const edit = approver.getByRole('form', { name: 'Edit script Disk usage' });
    await edit.getByText('Saving withdraws the approval.').waitFor();
    await edit.getByLabel('Script (bash)').fill('#!/bin/bash\ndu -sh -- "$1"\n');
    await edit.getByRole('button', { name: 'Save script' }).click();
    await approverRow.getByText('Awaiting approval').waitFor();
    expect(await approverRow.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    await author.reload();
    await authorRow.getByText('Awaiting approval').waitFor();
    expect(await authorRow.getByRole('button', { name: 'Approve' }).count()).toBe(0);
    // The one refused create (the field errors above) is the only failed request.
    expect(errors.flat()).toEqual([expect.stringMatching(/status of 400 .*\/api\/scripts\)$/)]);
  }, 60_000);

  it('refuses to save an edit over a change saved after the form was opened, and loses neither', async () => {
    const [author, approver] = pages;
    for (const list of errors) list.length = 0;
    await Promise.all(pages.map((page) => page.reload()));
    const forms = [];
    for (const page of [author, approver]) {
      await page.locator('tr[data-script="Disk usage"]').getByRole('button', { name: 'Edit' }).click();
      forms.push(page.getByRole('form', { name: 'Edit script Disk usage' }));
    }
    const [stale, first] = forms;
    await first.getByLabel('Script (bash)').fill('#!/bin/bash\ndu -sh -- "$1" # first\n');
    await first.getByRole('button', { name: 'Save script' }).click();
    await first.waitFor({ state: 'detached' });

    await stale.getByLabel('Script (bash)').fill('#!/bin/bash\ndu -sh -- "$1" # stale\n');
    await stale.getByRole('button', { name: 'Save script' }).click();
    await stale.getByRole('alert').filter({ hasText: 'approver saved the script after you opened it' }).waitFor();
    // The form keeps what was typed, and the saved text is the first save's.
    expect(await stale.getByLabel('Script (bash)').inputValue()).toContain('# stale');
    const { rows } = await pool().query<{ body: string }>(`SELECT body FROM script WHERE name = 'Disk usage'`);
    expect(rows[0].body).toContain('# first');
    expect(errors[0].splice(0)).toEqual([expect.stringMatching(/status of 409 .*\/api\/scripts\/\d+\)$/)]);
    expect(errors.flat()).toEqual([]);
  }, 60_000);
});
