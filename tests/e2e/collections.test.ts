// The collection edit form in two browsers at once: a save made from a form opened before
// someone else's save is refused, and neither their definition nor the typed one is lost.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { createCollection } from '@/lib/collections/save-collection';
import { pool } from '@/lib/db/pool';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const password = 'collections-password-1234';
const actor = { principal: { userId: 1, userName: 'first', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

describe('Collection edit form in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let id: number;
  const pages: Page[] = [];
  const errors: string[][] = [];

  async function signedIn(userName: string) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    pages.push(page);
    errors.push(watchErrors(page));
    await signInThroughPage(page, server.url, userName, password, `/assets/collections?id=${id}`);
    await page.getByRole('heading', { level: 2, name: /Web servers/ }).waitFor();
    return page;
  }

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    for (const name of ['first', 'second'])
      await pool().query(
        `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
         VALUES ($1, $1, 'FULL_ADMINISTRATOR', $2, false, now())`,
        [name, await hashPassword(password)],
      );
    server = await startAppServer({ databaseUrl: url, env: { SITEBOX_NOTIFICATION_PORT: 'off', SITEBOX_SEED_DEVICES: '0' } });
    browser = await launchBrowser();
    ({ id } = await createCollection({
      actor,
      input: {
        name: 'Web servers',
        comment: 'as created',
        limitingCollectionId: null,
        refreshMinutes: 60,
        rules: [{ kind: 'QUERY', name: '', query: { match: 'all', conditions: [{ field: 'name', pattern: 'WEB-*' }] } }],
      },
    }));
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('refuses to save an edit over a change saved after the form was opened, and loses neither', async () => {
    const forms = [];
    for (const userName of ['second', 'first']) {
      const page = await signedIn(userName);
      await page.getByRole('button', { name: 'Edit' }).click();
      forms.push(page.getByRole('form', { name: 'Edit Web servers' }));
    }
    const [stale, first] = forms;
    await first.getByLabel('Comment').fill('first comment');
    await first.getByRole('button', { name: 'Save collection' }).click();
    await first.waitFor({ state: 'detached' });

    await stale.getByLabel('Comment').fill('stale comment');
    await stale.getByRole('button', { name: 'Save collection' }).click();
    await stale.getByRole('alert').filter({ hasText: 'first saved the collection after you opened it' }).waitFor();
    // The form keeps what was typed, and the saved definition is the first save's.
    expect(await stale.getByLabel('Comment').inputValue()).toBe('stale comment');
    const { rows } = await pool().query<{ comment: string }>(`SELECT comment FROM collection WHERE id = $1`, [id]);
    expect(rows[0].comment).toBe('first comment');
    expect(errors[0].splice(0)).toEqual([expect.stringMatching(/status of 409 .*\/api\/collections\/\d+\)$/)]);
    expect(errors.flat()).toEqual([]);
  }, 60_000);
});
