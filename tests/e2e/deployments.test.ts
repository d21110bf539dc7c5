// The Deployments and Collections pages in Chromium against a real server: status summary and chart,
// per-client drill-down with filters and CSV export, the new-deployment form with field messages,
// and the collection form's member preview, cycle refusal and inventory conditions.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '@/lib/auth/password';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { createDeployment } from '@/lib/deployments/create-deployment';
import { createPackage } from '@/lib/deployments/create-package';
import { deploymentStatusSummarizer } from '@/lib/deployments/deployment-status-summarizer';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { statusMessageIds as ids } from '@/lib/reporting/catalog';
import { appendToInbox } from '@/lib/reporting/inbox-repo';
import { processStatusBatch } from '@/lib/status/process-status-batch';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { startAppServer, type AppServer } from '../support/app-server';
import { expectFieldError, launchBrowser, signInThroughPage, watchErrors } from '../support/browser';
import { useTestDatabase } from '../support/database';

const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };

function programMessage(device: string, messageId: number, deploymentId: string, at: Date, exitCode?: number): StatusMessage {
  return {
    uid: randomUUID(),
    messageId,
    severity: messageId === ids.programFailed ? 'ERROR' : 'INFORMATIONAL',
    type: 'MILESTONE',
    source: 'CLIENT',
    siteCode: 'S01',
    systemName: device,
    component: 'Software Distribution',
    sourceTime: at,
    insertionStrings: [deploymentId, 'S0100001', 'Install', ...(exitCode === undefined ? [] : [String(exitCode)])],
    properties: { AdvertisementID: deploymentId, ...(exitCode === undefined ? {} : { ExitCode: String(exitCode) }) },
  };
}

describe('Deployments page in Chromium', () => {
  let server: AppServer;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let deployment: { id: number; deploymentId: string };
  let devices: string[];

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    await seedDemoSite({ devices: 60 });
    await prisma().consoleUser.create({
      data: { userName: 'deployer', role: 'FULL_ADMINISTRATOR', passwordHash: await hashPassword('deployer-password'), mustChangePassword: false },
    });
    // A deployment of a package to "All Workstations"; six of its clients report through Status Manager.
    const pkg = await createPackage({
      actor,
      input: {
        name: 'Acrobat Reader',
        version: '24.1',
        manufacturer: 'Adobe',
        programs: [
          {
            name: 'Install',
            commandLine: 'setup.exe /sAll',
            runConditions: {
              userLogon: 'whether-or-not',
              runMode: 'administrative',
              maxRunMinutes: 60,
              retries: 0,
              retryIntervalMinutes: 10,
              successExitCodes: [0],
            },
          },
        ],
      },
    });
    const program = await prisma().program.findFirstOrThrow({ where: { packageId: pkg.id } });
    const workstations = await prisma().collection.findFirstOrThrow({ where: { name: 'All Workstations' } });
    deployment = await createDeployment({
      actor,
      input: {
        name: 'Acrobat Reader 24.1',
        comment: 'pilot',
        programId: program.id,
        collectionId: workstations.id,
        availableAt: new Date(Date.now() - 3_600_000),
        mandatoryAt: null,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });
    const members = await pool().query(
      `SELECT d.name FROM collection_member m JOIN device d ON d.id = m.device_id WHERE m.collection_id = $1 ORDER BY d.name LIMIT 6`,
      [workstations.id],
    );
    devices = members.rows.map((r) => r.name);
    const t = (minutes: number) => new Date(Date.now() - 3_000_000 + minutes * 60_000);
    const messages: StatusMessage[] = [];
    devices.forEach((name, i) => messages.push(programMessage(name, ids.programReceived, deployment.deploymentId, t(i))));
    for (const name of devices.slice(0, 3)) {
      messages.push(
        programMessage(name, ids.programStarted, deployment.deploymentId, t(10)),
        programMessage(name, ids.programSucceeded, deployment.deploymentId, t(20), 0),
      );
    }
    messages.push(
      programMessage(devices[3], ids.programStarted, deployment.deploymentId, t(10)),
      programMessage(devices[3], ids.programFailed, deployment.deploymentId, t(20), 1603),
    );
    messages.push(programMessage(devices[4], ids.programStarted, deployment.deploymentId, t(10)));
    await appendToInbox({ db: pool(), messages, origin: 'mp' });
    await processStatusBatch({
      db: pool(),
      rules: [],
      maxBatches: 10,
      log: pino({ level: 'silent' }),
      effects: { summarizers: deploymentStatusSummarizer, eventLog: () => {}, programs: { run: () => {} }, replicationEnabled: false },
    });

    server = await startAppServer({ databaseUrl: url });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchErrors(page);
    await signInThroughPage(page, server.url, 'deployer', 'deployer-password', '/monitoring/deployments');
    await page.waitForURL(/\/monitoring\/deployments/);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('summarises a deployment by client status and drills down to its clients', async () => {
    const workstations = await pool().query(`SELECT member_count FROM collection WHERE name = 'All Workstations'`);
    const targeted = workstations.rows[0].member_count as number;
    await page.getByRole('button', { name: 'Acrobat Reader 24.1' }).click();
    await page.getByTestId('status-count-SUCCEEDED').filter({ hasText: 'Succeeded 3' }).waitFor();
    expect(await page.getByTestId('status-count-FAILED').textContent()).toBe('Failed 1');
    expect(await page.getByTestId('status-count-RUNNING').textContent()).toBe('Running 1');
    expect(await page.getByTestId('status-count-RECEIVED').textContent()).toBe('Received 1');
    expect(await page.getByTestId('status-count-NONE').textContent()).toBe(`None ${targeted - 6}`);
    expect(
      await page
        .getByRole('region', { name: /Acrobat Reader 24\.1/ })
        .getByRole('img', { name: /Clients by status: None \d+, Received 1, Running 1, Succeeded 3, Failed 1, Retrying 0/ })
        .count(),
    ).toBe(1);
    expect(await page.getByLabel('Status messages received').textContent()).toContain('Program errors1');
    const schedule = await page
      .getByRole('region', { name: /Acrobat Reader 24\.1/ })
      .locator('p')
      .first()
      .textContent();
    expect(schedule).toContain('· not mandatory · expires ');
    await page
      .getByTestId('client-range')
      .filter({ hasText: `of ${targeted}` })
      .waitFor();

    const messages = await page.getByRole('link', { name: 'Status messages for this deployment' }).getAttribute('href');
    expect(messages).toBe(`/monitoring/status-messages?propertyName=AdvertisementID&propertyValue=${deployment.deploymentId}`);

    await page.getByLabel('Filter by status').selectOption('FAILED');
    await page.getByTestId('client-range').filter({ hasText: '1–1 of 1' }).waitFor();
    const failed = page.getByTestId(`client-${devices[3]}`);
    expect(await failed.textContent()).toContain('Failed');
    expect(await failed.textContent()).toContain('1603');

    await page.getByLabel('Filter by status').selectOption('');
    await page.getByLabel('Search clients').fill(devices[0]);
    await page.getByTestId('client-range').filter({ hasText: '1–1 of 1' }).waitFor();

    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    expect(href).toContain(`search=${encodeURIComponent(devices[0])}`);
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), `${href!.replace(/search=[^&]*/, 'status=SUCCEEDED')}`);
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('Device,Site,Status,Exit code,Last report (client time),Received,Message ID,Late');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual(devices.slice(0, 3).map((d) => `${d},S01,Succeeded,0`));
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/deployments.png', fullPage: true });
  });

  it('updates the counts live when Status Manager processes a client report', async () => {
    await page.getByLabel('Search clients').fill('');
    await page
      .getByTestId('deployments-live')
      .filter({ hasText: /^Live$/ })
      .waitFor();
    await appendToInbox({
      db: pool(),
      origin: 'mp',
      messages: [programMessage(devices[4], ids.programSucceeded, deployment.deploymentId, new Date(), 0)],
    });
    await processStatusBatch({
      db: pool(),
      rules: [],
      maxBatches: 10,
      log: pino({ level: 'silent' }),
      effects: { summarizers: deploymentStatusSummarizer, eventLog: () => {}, programs: { run: () => {} }, replicationEnabled: false },
    });
    await page.getByTestId('status-count-SUCCEEDED').filter({ hasText: 'Succeeded 4' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('status-count-RUNNING').textContent()).toBe('Running 0');
    // The client list is read again after the counts, so its row may follow a moment later.
    await page.getByTestId(`client-${devices[4]}`).filter({ hasText: 'Succeeded' }).waitFor({ timeout: 10_000 });
  });

  it('creates a deployment through the form, naming the fields it refuses', async () => {
    await page.getByRole('button', { name: 'New deployment' }).click();
    const form = page.getByRole('form', { name: 'New deployment' });
    await form.getByRole('button', { name: 'Create deployment' }).click();
    await expectFieldError(form, 'Name', 'Name is required');
    await expectFieldError(form, 'Program', 'Program: choose a program');
    await form.getByLabel('Name').fill('Acrobat Reader for servers');
    await form.getByLabel('Program').selectOption({ label: 'Acrobat Reader 24.1 — Install' });
    await form.getByLabel('Collection').selectOption({ index: 2 });
    await form.getByLabel('Expires at (optional)').fill('2020-01-01T00:00');
    await form.getByRole('button', { name: 'Create deployment' }).click();
    await expectFieldError(form, 'Expires at (optional)', 'Expiration must be after the available time');
    // The refusal keeps what was typed, and the fields fixed since are no longer marked.
    expect(await form.getByLabel('Name').inputValue()).toBe('Acrobat Reader for servers');
    expect(await form.getByLabel('Name').getAttribute('aria-invalid')).toBeNull();
    await form.getByLabel('Expires at (optional)').fill('2099-01-01T00:00');
    await form.getByRole('button', { name: 'Create deployment' }).click();
    await page.getByRole('heading', { level: 2, name: /Acrobat Reader for servers/ }).waitFor();
    expect(await page.getByTestId('deployment-state').textContent()).toBe('Active');
    expect(await prisma().deployment.count()).toBe(2);
  });

  it("previews a collection's members in its form and refuses an include cycle", async () => {
    await page.goto(`${server.url}/assets/collections`);
    await page.getByRole('button', { name: 'New collection' }).click();
    const form = page.getByRole('form', { name: 'New collection' });
    await form.getByLabel('Evaluate every (minutes)').fill('2');
    await form.getByRole('button', { name: 'Create collection' }).click();
    await expectFieldError(form, 'Name', 'Name is required');
    await expectFieldError(form, 'Evaluate every (minutes)', 'Interval must be at least 5');
    await form.getByLabel('Evaluate every (minutes)').fill('60');
    await form.getByLabel('Name').fill('Servers in S01');
    await form.getByLabel('Rule 1 condition 1 property').selectOption('osKind');
    await form.getByLabel('Rule 1 condition 1 value').selectOption('SERVER');
    await form.getByRole('button', { name: 'Preview members' }).click();
    const servers = await prisma().device.count({ where: { osKind: 'SERVER' } });
    await form
      .getByTestId('preview-count')
      .filter({ hasText: String(servers) })
      .waitFor();
    await form.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { level: 2, name: /Servers in S01/ }).waitFor();
    await page.getByText(`${servers} members`).waitFor();

    // A second collection includes the first; the first may then not include the second.
    await page.getByRole('button', { name: 'New collection' }).click();
    const second = page.getByRole('form', { name: 'New collection' });
    await second.getByLabel('Name').fill('Servers again');
    await second.getByRole('button', { name: 'Remove rule 1' }).click();
    await second.getByRole('button', { name: 'Include collection' }).click();
    await second.getByLabel('Rule 1 collection').selectOption({ label: 'Servers in S01' });
    await second.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { level: 2, name: /Servers again/ }).waitFor();

    await page.getByRole('button', { name: 'Servers in S01', exact: true }).click();
    // The details (and their Edit button) belong to the selected collection once its heading shows.
    await page.getByRole('heading', { level: 2, name: /Servers in S01/ }).waitFor();
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit Servers in S01' });
    await edit.getByRole('button', { name: 'Include collection' }).click();
    await edit.getByLabel('Rule 2 collection').selectOption({ label: 'Servers again' });
    await edit.getByRole('button', { name: 'Save collection' }).click();
    await expectFieldError(edit, 'Rule 2 collection', 'Collection: would make a cycle: "Servers in S01" → "Servers again" → "Servers in S01"');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('builds a collection on installed software with a version comparison, naming the fields it refuses', async () => {
    // Three machines report openssl: two an older build, one the fixed one.
    const products = await pool().query<{ id: number }>(
      `INSERT INTO software_product (name, version, arch)
       VALUES ('openssl', '3.0.11-1~deb12u2', 'amd64'), ('openssl', '3.0.13-1~deb12u1', 'amd64') RETURNING id`,
    );
    const [older, fixed] = products.rows.map((r) => r.id);
    const machines = (await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY name LIMIT 3`)).rows.map((r) => r.id);
    await pool().query(`INSERT INTO device_software (device_id, product_id) VALUES ($1, $4), ($2, $4), ($3, $5)`, [...machines, older, fixed]);

    await page.goto(`${server.url}/assets/collections`);
    await page.getByRole('button', { name: 'New collection' }).click();
    const form = page.getByRole('form', { name: 'New collection' });
    await form.getByLabel('Name').fill('Needs the OpenSSL update');
    await form.getByLabel('Rule 1 condition 1 property').selectOption('software');
    await form.getByLabel('Rule 1 condition 1 value').fill('OpenSSL');
    await form.getByLabel('Rule 1 condition 1 version operator').selectOption('<');
    await form.getByRole('button', { name: 'Preview members' }).click();
    await expectFieldError(form, 'Rule 1 condition 1 version', 'Has package: needs a version to compare with');
    await form.getByLabel('Rule 1 condition 1 version', { exact: true }).fill('3.0.13');
    await form.getByRole('button', { name: 'Preview members' }).click();
    await form.getByTestId('preview-count').filter({ hasText: /^2$/ }).waitFor();

    await form.getByRole('button', { name: 'Add condition' }).click();
    await form.getByLabel('Rule 1 condition 2 property').selectOption('memoryMb');
    await form.getByLabel('Rule 1 condition 2 value').fill('lots');
    await form.getByRole('button', { name: 'Create collection' }).click();
    await expectFieldError(form, 'Rule 1 condition 2 value', 'Memory (MB): must be a number of MB');
    await form.getByRole('button', { name: 'Remove', exact: true }).nth(1).click();
    await form.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { level: 2, name: /Needs the OpenSSL update/ }).waitFor();
    await page.getByText('Query: has package "OpenSSL" with version < 3.0.13').waitFor();
    await page.getByText('2 members').waitFor();

    // The edit form shows the condition as it was saved.
    await page.getByRole('button', { name: 'Edit' }).click();
    const edit = page.getByRole('form', { name: 'Edit Needs the OpenSSL update' });
    expect(await edit.getByLabel('Rule 1 condition 1 property').inputValue()).toBe('software');
    expect(await edit.getByLabel('Rule 1 condition 1 value').inputValue()).toBe('OpenSSL');
    expect(await edit.getByLabel('Rule 1 condition 1 version operator').inputValue()).toBe('<');
    expect(await edit.getByLabel('Rule 1 condition 1 version', { exact: true }).inputValue()).toBe('3.0.13');
    await edit.getByRole('button', { name: 'Cancel' }).click();
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });

  it('creates a package through a form that shows each refused field under it and keeps what was typed', async () => {
    await page.goto(`${server.url}/assets/packages`);
    await page.getByRole('button', { name: 'New package' }).click();
    const form = page.getByRole('form', { name: 'New package' });
    await form.getByLabel('Version').fill('7.2');
    await form.getByLabel('Retries after a failure').fill('11');
    await form.getByLabel('Maximum run time (minutes)').fill('');
    await form.getByLabel('Retry interval (minutes)').fill('99999999999999999999');
    await form.getByLabel('Success exit codes').fill('0, x');
    await form.getByRole('button', { name: 'Create package' }).click();
    await expectFieldError(form, 'Name', 'Name is required');
    await expectFieldError(form, 'Command line', 'Command line is required');
    await expectFieldError(form, 'Retries after a failure', 'Retries must be at most 10');
    await expectFieldError(form, 'Maximum run time (minutes)', 'Maximum run time must be a whole number');
    await expectFieldError(form, 'Retry interval (minutes)', 'Retry interval must be at most 1440');
    // An exit code that is no number is told beside the codes, not in a line of API paths under the form.
    await expectFieldError(form, 'Success exit codes', 'Success exit codes must be a whole number');
    expect(await form.getByRole('alert').filter({ hasText: 'programs.0' }).count()).toBe(0);
    expect(await form.getByLabel('Version').inputValue()).toBe('7.2');
    // A field without an error carries no error reference.
    expect(await form.getByLabel('Version').getAttribute('aria-describedby')).toBeNull();

    await form.getByLabel('Name', { exact: true }).fill('7-Zip');
    await form.getByLabel('Command line').fill('msiexec /i 7z.msi /qn');
    await form.getByLabel('Retries after a failure').fill('2');
    await form.getByLabel('Maximum run time (minutes)').fill('120');
    await form.getByLabel('Retry interval (minutes)').fill('10');
    await form.getByLabel('Success exit codes').fill('0, 3010');
    // Double-clicked on a busy page: timers queued as the form is sent (a slow laptop) run after
    // the second click, which must find the button already disabled.
    await page.evaluate(() =>
      document.addEventListener(
        'submit',
        () => {
          for (let i = 0; i < 50; i++)
            setTimeout(() => {
              const until = performance.now() + 10;
              while (performance.now() < until);
            }, 0);
        },
        { capture: true, once: true },
      ),
    );
    const posts: string[] = [];
    page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/packages') && posts.push(r.url()));
    await form.getByRole('button', { name: 'Create package' }).dblclick();
    await form.waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: '7-Zip', exact: true }).waitFor();
    expect(posts).toHaveLength(1);
    expect(await prisma().package.count({ where: { name: '7-Zip' } })).toBe(1);
    const stored = await prisma().package.findFirstOrThrow({ where: { name: '7-Zip' }, include: { programs: true } });
    expect(stored).toMatchObject({ version: '7.2' });
    expect(stored.programs[0].commandLine).toBe('msiexec /i 7z.msi /qn');
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  });
});
