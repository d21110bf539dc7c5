import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { startAppServer, type AppServer } from '../support/app-server';
import { launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { createEmptyDatabase } from '../support/database';
import { testMessage } from '../lib/status/fixtures';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Two real instances, each on its own database, set up with the README's commands: a parent P01
// and a child C01 whose Status Manager replicates to it.
describe('a parent site and a child site', () => {
  const common = { SITEBOX_TLS: 'off', SITEBOX_SEED_DEVICES: '0', SITEBOX_WORKERS: 'status-manager', SITEBOX_WORKER_HEARTBEAT_SECONDS: '1' };
  let parentDb: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let childDb: Awaited<ReturnType<typeof createEmptyDatabase>>;
  let parent: AppServer | undefined;
  let child: AppServer | undefined;
  let parentPort: number;
  let parentPool: pg.Pool;
  let childPool: pg.Pool;
  const startParent = async () => {
    parent = await startAppServer({
      databaseUrl: parentDb.url,
      env: {
        ...common,
        PORT: String(parentPort),
        SITEBOX_SITE_CODE: 'P01',
        SITEBOX_SITE_NAME: 'Head office',
        SITEBOX_SERVER_NAME: 'p01-ss01.example.com',
      },
    });
  };
  const arrivedAtParent = async (uids: string[]) => {
    const { rows } = await parentPool.query<{ n: string; d: string }>(
      `SELECT count(*) n, count(DISTINCT uid) d FROM status_message WHERE site_code = 'C01' AND uid = ANY($1::uuid[])`,
      [uids],
    );
    return { count: Number(rows[0].n), distinct: Number(rows[0].d) };
  };
  const sendAtChild = async (n: number) => {
    // One message of each priority per step: Low (9001, informational), Medium (9002, warning), High (a server error).
    const messages: StatusMessage[] = [];
    for (let i = 0; i < n; i++) {
      const base = { source: 'SERVER' as const, siteCode: 'C01', systemName: 'c01-ss01.example.com', component: 'SMS_TEST' };
      messages.push(testMessage({ ...base, messageId: 9001, severity: 'INFORMATIONAL' }));
      messages.push(testMessage({ ...base, messageId: 9002, severity: 'WARNING' }));
      messages.push(testMessage({ ...base, messageId: 9003, severity: 'ERROR' }));
    }
    await appendToInbox({ db: childPool, messages, origin: 'server' });
    return messages.map((m) => m.uid);
  };

  beforeAll(async () => {
    [parentDb, childDb, parentPort] = await Promise.all([createEmptyDatabase(), createEmptyDatabase(), freePort()]);
    parentPool = new pg.Pool({ connectionString: parentDb.url, max: 2 });
    childPool = new pg.Pool({ connectionString: childDb.url, max: 2 });
    await startParent();
    // On the parent: the child's credential (README, "Site hierarchy").
    const issued = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/site-system-credential.ts', 'c01-ss01.example.com', '--site', 'C01'], {
      env: { ...process.env, DATABASE_URL: parentDb.url, SITEBOX_SITE_CODE: 'P01', LOG_LEVEL: 'warn' },
      encoding: 'utf8',
    });
    const credential = /SiteSystem \d+\.\S+/.exec(issued.stdout)?.[0];
    expect(credential, issued.stdout + issued.stderr).toBeDefined();
    child = await startAppServer({
      databaseUrl: childDb.url,
      env: {
        ...common,
        SITEBOX_SITE_CODE: 'C01',
        SITEBOX_SERVER_NAME: 'c01-ss01.example.com',
        SITEBOX_PARENT_SITE_URL: `http://127.0.0.1:${parentPort}`,
        SITEBOX_PARENT_SITE_CREDENTIAL: credential!,
      },
    });
    // Status filter rules replicating at Low and Medium (server errors replicate at High by default).
    await childPool.query(
      `INSERT INTO status_filter_rule (name, priority, built_in, message_id, replicate_to_parent, updated_at)
       VALUES ('Replicate 9001 at Low', 5, false, 9001, 'LOW', now()), ('Replicate 9002 at Medium', 6, false, 9002, 'MEDIUM', now());
       NOTIFY sitebox_status_filter_rules_changed`,
    );
  }, 300_000);

  afterAll(async () => {
    await child?.stop();
    await parent?.stop();
    await Promise.all([parentPool?.end(), childPool?.end()]);
    await Promise.all([parentDb?.drop(), childDb?.drop()]);
  });

  it('replicates at each priority, and after the parent was down drains the outbox at once, nothing lost or twice', async () => {
    const first = await sendAtChild(5);
    await until('the first messages at the parent', async () => (await arrivedAtParent(first)).count === first.length);
    const { rows: priorities } = await parentPool.query<{ message_id: number; n: string }>(
      `SELECT message_id, count(*) n FROM status_message WHERE site_code = 'C01' GROUP BY 1 ORDER BY 1`,
    );
    expect(priorities.map((r) => [r.message_id, Number(r.n)])).toEqual([
      [9001, 5],
      [9002, 5],
      [9003, 5],
    ]);

    await parent!.stop();
    const during = await sendAtChild(100);
    await until('the outbox to hold them', async () => {
      const { rows } = await childPool.query<{ n: string }>(`SELECT count(*) n FROM replication_outbox`);
      return Number(rows[0].n) === during.length;
    });
    // Several failed attempts while the parent is away, each recorded on the child's link.
    await new Promise((r) => setTimeout(r, 4000));
    const { rows: link } = await childPool.query<{ consecutive_failures: number; last_error: string }>(
      `SELECT consecutive_failures, last_error FROM replication_link`,
    );
    expect(link[0].consecutive_failures).toBeGreaterThanOrEqual(2);
    expect(link[0].last_error).toBeTruthy();
    await startParent();
    const back = Date.now();
    await until('the outbox to drain', async () => (await arrivedAtParent(during)).count === during.length, 20_000);
    const drainMs = Date.now() - back;
    expect(drainMs).toBeLessThan(12_000);
    expect(await arrivedAtParent([...first, ...during])).toEqual({ count: first.length + during.length, distinct: first.length + during.length });
    const { rows: left } = await childPool.query<{ n: string }>(`SELECT count(*) n FROM replication_outbox`);
    expect(Number(left[0].n)).toBe(0);
  });

  it('shows the link on the child and the child on the parent in the Site Hierarchy view', async () => {
    const password = 'hierarchy-password-1';
    for (const db of [parentPool, childPool]) {
      await db.query(
        `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
         VALUES ('hierarchy', 'hierarchy', 'READ_ONLY_ANALYST', $1, false, now())`,
        [await hashPassword(password)],
      );
    }
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const errors = watchErrors(page);
      // The child: its parent link is OK again, nothing waiting.
      await signInThroughPage(page, child!.url, 'hierarchy', password, '/monitoring/site-hierarchy');
      const link = page.getByTestId('parent-link');
      await link.waitFor();
      await expect.poll(() => link.textContent(), { timeout: 15_000 }).toMatch(/OK/);
      expect(await link.textContent()).toContain(`http://127.0.0.1:${parentPort}`);
      expect(await link.textContent()).toMatch(/0 \/ 0 \/ 0/);
      // The parent: no parent of its own, and C01 among its children, drilling down to its messages.
      const other = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      errors.push(...watchErrors(other));
      await signInThroughPage(other, parent!.url, 'hierarchy', password, '/monitoring/site-hierarchy');
      await other.getByText('This site reports to no parent').waitFor();
      const row = other.getByTestId('child-site-C01');
      await row.waitFor();
      // What the child reported of its link: OK, nothing waiting in its outbox (it reports every 5 s).
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toMatch(/OK/);
      expect(await other.getByTestId('child-backlog-C01').textContent()).toMatch(/^0 \/ 0 \/ 0/);
      // Component Status switched to the child site shows its components from its replicated messages.
      await row.getByRole('link', { name: 'Component Status' }).click();
      await other.waitForURL(/\/monitoring\/component-status\?site=C01/);
      await other.getByText('SMS_TEST').first().waitFor();
      await other.goBack();
      await other.getByTestId('child-site-C01').getByRole('link', { name: 'Messages' }).click();
      await other.waitForURL(/\/monitoring\/status-messages\?site=C01/);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
