// The reference's expired-job scenario, end to end with real agents (lib/agent's ClientAgent): devices
// register over HTTP, fetch policy over HTTP with their credential, run the program with the deployment runner,
// report through the spooling status reporter to the real ingest endpoint, and Status Manager
// processes the messages with the deployment status summarizer. Only the clock is moved.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GET as getClients } from '@/app/api/deployments/[id]/clients/route';
import { GET as getDeployment } from '@/app/api/deployments/[id]/route';
import { GET as policyRoute } from '@/app/api/mp/policy/route';
import { POST as registerRoute } from '@/app/api/mp/register/route';
import { POST as ingestRoute } from '@/app/api/mp/status-messages/route';
import { ClientAgent } from '@/lib/agent/agent';
import { createDeploymentRunner, type DeploymentRunner, type SimulateProgram } from '@/lib/agent/deployment-runner';
import { loadOrRegisterCredential } from '@/lib/agent/register-agent';
import { evaluateCollections } from '@/lib/collections/evaluate-collections';
import { pool } from '@/lib/db/pool';
import { createDeployment } from '@/lib/deployments/create-deployment';
import { createPackage } from '@/lib/deployments/create-package';
import { deploymentStatusSummarizer } from '@/lib/deployments/deployment-status-summarizer';
import type { DeploymentClientPage, DeploymentRow } from '@/lib/deployments/deployment.schema';
import { expireDeployments } from '@/lib/deployments/expire-deployments';
import { createStatusReporter, type StatusReporter } from '@/lib/agent/status-reporter';
import { startStatusManager } from '@/lib/status/status-manager';
import { composeSummarizers } from '@/lib/summarizers/summarizer-handoff';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { RouteServer } from '../status/serve-route';
import { siteControlSettings } from '../../support/status-manager-settings';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Day one starts now (to the minute), so the database's own arrival stamps fall on day one too.
const dayOne = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const at = (ms: number) => vi.setSystemTime(new Date(dayOne.getTime() + ms));

/**
 * A client agent (lib/agent): registers over HTTP on first use, fetches policy with its credential,
 * hands each policy to its deployment runner and reports through its spooling status reporter.
 * Its notification channel is not started: policy comes from polling, as when a client has no push.
 */
class TestAgent {
  agent!: ClientAgent;
  reporter!: StatusReporter;
  runner: DeploymentRunner;

  constructor(
    readonly name: string,
    private readonly mp: RouteServer,
    private readonly stateRoot: string,
    simulate: SimulateProgram,
  ) {
    this.runner = createDeploymentRunner({
      simulate,
      timers: false,
      // A program's run time passes on the test's clock.
      wait: async (ms) => void vi.setSystemTime(Date.now() + ms),
      stateFile: path.join(stateRoot, name, 'deployments.json'),
    });
  }

  get authorization() {
    return this.agent.authorization;
  }

  async register() {
    const stateDir = path.join(this.stateRoot, this.name);
    const { credential, registered } = await loadOrRegisterCredential({
      managementPointUrl: this.mp.url,
      stateDir,
      identity: { name: this.name, osName: 'Windows 11 Enterprise', osVersion: '10.0.26100', osKind: 'WORKSTATION', clientVersion: '1.0.0' },
    });
    expect(registered).toBe(true);
    this.reporter = createStatusReporter({
      managementPointUrl: this.mp.url,
      spoolDir: path.join(stateDir, 'spool'),
      device: this.name,
      headers: () => ({ authorization: this.authorization }),
      initialBackoffMs: 50,
      maxBackoffMs: 200,
    });
    this.agent = new ClientAgent({
      managementPointUrls: [this.mp.url],
      credential,
      reporter: this.reporter,
      onPolicy: this.runner,
      pollPolicy: false,
    });
    return credential.deviceId;
  }

  /**
   * A program status message naming a deployment, sent through the agent's own reporter as a
   * device would that was never offered it (a stale or tampered client).
   */
  async reportSucceeded(deploymentId: string) {
    await this.reporter.report({
      uid: randomUUID(),
      messageId: 10008,
      severity: 'INFORMATIONAL',
      type: 'MILESTONE',
      source: 'CLIENT',
      siteCode: 'S01',
      systemName: this.name,
      component: 'Software Distribution',
      sourceTime: new Date(),
      insertionStrings: [deploymentId, 'S0100001', 'Install', '0'],
      properties: { AdvertisementID: deploymentId, ExitCode: '0' },
    });
    await this.reporter.flush();
  }

  /** One policy cycle, as the agent's polling interval runs it; then send what the runner reported. */
  async poll() {
    const policy = await this.agent.refreshPolicy('poll');
    await this.reporter.flush();
    return policy as unknown as { deployments: { deploymentId: string }[] };
  }
}

const lastStatuses = { 'WKS-0001': 'SUCCEEDED', 'WKS-0002': 'SUCCEEDED', 'WKS-0003': 'SUCCEEDED', 'WKS-0004': 'FAILED', 'WKS-0005': 'NONE' };

describe("a deployment that expires keeps each client's last status (reference scenario)", () => {
  let mp: RouteServer;
  let spoolRoot: string;
  let agents: TestAgent[];
  let outsider: TestAgent;
  let statusManager: Awaited<ReturnType<typeof startStatusManager>>;
  let stop: AbortController;
  let admin: TestSession;
  let deployment: { id: number; deploymentId: string };

  /** Waits until Status Manager has processed everything in its inbox (agents flush before it is called). */
  const processed = () => statusManager.flush();

  // Console sessions end after hours idle, and days pass here: each look is a fresh sign-in.
  const console = async () => (await signInAs('READ_ONLY_ANALYST')).headers;

  async function statuses(id = deployment.id) {
    const response = await getClients(request(`/api/deployments/${id}/clients`, { headers: await console() }), withParams({ id: String(id) }));
    expect(response.status).toBe(200);
    const page = (await response.json()) as DeploymentClientPage;
    return Object.fromEntries(page.rows.map((r) => [r.deviceName, r.status]));
  }

  async function summary(id = deployment.id) {
    const response = await getDeployment(request(`/api/deployments/${id}`, { headers: await console() }), withParams({ id: String(id) }));
    return (await response.json()) as DeploymentRow;
  }

  beforeAll(async () => {
    const { url } = await useTestDatabase();
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    admin = await signInAs('FULL_ADMINISTRATOR');
    mp = new RouteServer({ '/api/mp/register': registerRoute, '/api/mp/policy': policyRoute, '/api/mp/status-messages': ingestRoute });
    await mp.start();
    spoolRoot = await mkdtemp(path.join(os.tmpdir(), 'sitebox-agents-'));
    stop = new AbortController();
    statusManager = await startStatusManager({
      db: pool(),
      connectionString: url,
      log: pino({ level: 'silent' }),
      signal: stop.signal,
      loops: 1,
      batchRows: 10,
      watchSettings: siteControlSettings(url),
      ledgerDays: 7,
      pollMs: 100,
      summarizers: composeSummarizers(deploymentStatusSummarizer),
    });

    // Three clients succeed, one fails with 1603, the fifth is an unoccupied machine, switched off;
    // the sixth receives the deployment, but its user never runs the program.
    const succeed: SimulateProgram = () => ({ exitCode: 0 });
    agents = [
      new TestAgent('WKS-0001', mp, spoolRoot, succeed),
      new TestAgent('WKS-0002', mp, spoolRoot, succeed),
      new TestAgent('WKS-0003', mp, spoolRoot, succeed),
      new TestAgent('WKS-0004', mp, spoolRoot, () => ({ exitCode: 1603 })),
      new TestAgent('WKS-0005', mp, spoolRoot, succeed),
      new TestAgent('WKS-0006', mp, spoolRoot, () => ({ never: true })),
    ];
    // A registered device outside the collection: never targeted.
    outsider = new TestAgent('WKS-0099', mp, spoolRoot, succeed);
    await outsider.register();
    const deviceIds = [];
    for (const agent of agents) deviceIds.push(await agent.register());

    const actor = { principal: { userId: admin.userId, userName: admin.userName, role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
    const { rows } = await pool().query(
      `INSERT INTO collection (collection_id, name, updated_at) VALUES ('S0100010', 'Accounting', now()) RETURNING id`,
    );
    for (const deviceId of deviceIds) {
      await pool().query(`INSERT INTO collection_rule (collection_id, kind, device_id) VALUES ($1, 'DIRECT', $2)`, [rows[0].id, deviceId]);
    }
    await evaluateCollections({ db: pool() });
    const pkg = await createPackage({
      actor,
      input: {
        name: 'Payroll client',
        version: '4.2',
        manufacturer: 'Contoso',
        programs: [
          {
            name: 'Install',
            commandLine: 'msiexec /i payroll.msi /qn',
            runConditions: {
              userLogon: 'whether-or-not',
              runMode: 'administrative',
              maxRunMinutes: 60,
              retries: 0,
              retryIntervalMinutes: 10,
              successExitCodes: [0, 3010],
            },
          },
        ],
      },
    });
    const { rows: programs } = await pool().query(`SELECT id FROM program WHERE package_id = $1`, [pkg.id]);
    // Offered for two days.
    deployment = await createDeployment({
      actor,
      input: {
        name: 'Payroll 4.2',
        comment: '',
        programId: programs[0].id,
        collectionId: rows[0].id,
        availableAt: dayOne,
        mandatoryAt: null,
        expiresAt: new Date(dayOne.getTime() + 2 * DAY),
      },
    });
  }, 60_000);

  afterAll(async () => {
    stop?.abort();
    await statusManager?.stop();
    for (const agent of [...(agents ?? []), outsider]) await agent?.reporter?.stop();
    await mp?.stop();
    vi.useRealTimers();
    if (spoolRoot) await rm(spoolRoot, { recursive: true, force: true });
  });

  it('day one: three succeed, one fails, one is switched off, one receives it and never runs it', async () => {
    at(2 * HOUR);
    for (const agent of [...agents.slice(0, 4), agents[5]]) {
      const policy = await agent.poll();
      expect(policy.deployments.map((d) => d.deploymentId)).toEqual([deployment.deploymentId]);
    }
    await processed();
    expect(await statuses()).toEqual({ ...lastStatuses, 'WKS-0006': 'RECEIVED' });
    const row = await summary();
    expect(row).toMatchObject({
      state: 'ACTIVE',
      targeted: 6,
      statusCounts: { NONE: 1, RECEIVED: 1, RUNNING: 0, SUCCEEDED: 3, FAILED: 1, RETRYING: 0 },
      messages: { received: 5, programStarted: 4, programSucceeded: 3, programErrors: 1, expiredUnrun: 0, lateReports: 0 },
    });
    const { rows } = await pool().query(
      `SELECT exit_code FROM deployment_client_status s JOIN device d ON d.id = s.device_id WHERE d.name = 'WKS-0004'`,
    );
    expect(rows[0].exit_code).toBe(1603);
  });

  it('refuses a program report from a device the deployment never targeted', async () => {
    const before = await summary();
    await outsider.reportSucceeded(deployment.deploymentId);
    await processed();
    expect(await statuses()).toEqual({ ...lastStatuses, 'WKS-0006': 'RECEIVED' });
    expect(await summary()).toMatchObject({ targeted: 6, statusCounts: before.statusCounts, messages: before.messages });
  });

  it('after expiry the deployment is withdrawn and marked expired, and no status changes', async () => {
    at(DAY + 2 * HOUR);
    for (const agent of [...agents.slice(0, 4), agents[5]]) await agent.poll(); // nothing new on day two
    at(2 * DAY + 5 * 60_000);
    expect((await expireDeployments()).map((d) => d.deploymentId)).toEqual([deployment.deploymentId]);
    expect(await expireDeployments()).toEqual([]); // once
    for (const agent of agents) expect((await agent.poll()).deployments).toEqual([]);
    await processed();
    // The sixth client said "expired before it ran" (10018), a report made at the expiration:
    // counted (as late), and it stays at Received.
    expect(await statuses()).toEqual({ ...lastStatuses, 'WKS-0006': 'RECEIVED' });
    expect(await summary()).toMatchObject({ state: 'EXPIRED', lateClients: 0, messages: { received: 5, expiredUnrun: 1, lateReports: 1 } });

    // Nor does an untargeted device join after expiry.
    await outsider.reportSucceeded(deployment.deploymentId);
    await processed();
    expect(await summary()).toMatchObject({ targeted: 6, lateClients: 0, messages: { programSucceeded: 3, lateReports: 1 } });
  });

  it('on day three the six statuses still read Succeeded, Succeeded, Succeeded, Failed, None, Received', async () => {
    at(3 * DAY + HOUR);
    for (const agent of agents) await agent.poll();
    await processed();
    // The collection changes after expiry; the deployment's clients stay the ones it had.
    await pool().query(`DELETE FROM collection_rule WHERE device_id = (SELECT id FROM device WHERE name = 'WKS-0005')`);
    await evaluateCollections({ db: pool() });
    expect(await statuses()).toEqual({ ...lastStatuses, 'WKS-0006': 'RECEIVED' });
    expect((await summary()).statusCounts).toMatchObject({ SUCCEEDED: 3, FAILED: 1, NONE: 1, RECEIVED: 1 });
    const { rows } = await pool().query(`SELECT count(*)::int AS n FROM deployment_client_status WHERE late`);
    expect(rows[0].n).toBe(0);
  });

  it('keeps a report that arrives after expiry, marked late, and never counts it as before expiry', async () => {
    const { rows } = await pool().query(`SELECT id FROM program LIMIT 1`);
    const collection = await pool().query(`SELECT id FROM collection WHERE collection_id = 'S0100010'`);
    const actor = { principal: { userId: admin.userId, userName: admin.userName, role: 'FULL_ADMINISTRATOR' as const }, address: '192.0.2.1' };
    // Mandatory at 01:00 on day four, expiring at 02:00.
    const second = await createDeployment({
      actor,
      input: {
        name: 'Payroll 4.2 hotfix',
        comment: '',
        programId: rows[0].id,
        collectionId: collection.rows[0].id,
        availableAt: new Date(dayOne.getTime() + 3 * DAY),
        mandatoryAt: new Date(dayOne.getTime() + 3 * DAY + HOUR),
        expiresAt: new Date(dayOne.getTime() + 3 * DAY + 2 * HOUR),
      },
    });
    // WKS-0001 starts it at 01:30; the installation runs past the expiration and ends at 02:10.
    const slow = new TestAgent('WKS-0001', mp, spoolRoot, () => ({ exitCode: 0, durationMs: 40 * 60_000 }));
    slow.reporter = agents[0].reporter;
    slow.agent = new ClientAgent({
      managementPointUrls: [mp.url],
      credential: agents[0].agent.credential,
      reporter: slow.reporter,
      onPolicy: slow.runner,
      pollPolicy: false,
    });
    at(3 * DAY + HOUR + 30 * 60_000);
    await slow.poll();
    // WKS-0002 comes by only after the expiration: nothing is offered, nothing changes.
    at(3 * DAY + 2 * HOUR + 30 * 60_000);
    expect((await agents[1].poll()).deployments).toEqual([]);
    await expireDeployments();
    await processed();

    const clients = await getClients(
      request(`/api/deployments/${second.id}/clients?late=true`, { headers: await console() }),
      withParams({ id: String(second.id) }),
    );
    const page = (await clients.json()) as DeploymentClientPage;
    expect(page.rows).toEqual([
      expect.objectContaining({
        deviceName: 'WKS-0001',
        status: 'SUCCEEDED',
        late: true,
        lastReportAt: new Date(dayOne.getTime() + 3 * DAY + 2 * HOUR + 10 * 60_000).toISOString(),
      }),
    ]);
    expect(await statuses(second.id)).toEqual({
      'WKS-0001': 'SUCCEEDED',
      'WKS-0002': 'NONE',
      'WKS-0003': 'NONE',
      'WKS-0004': 'NONE',
      'WKS-0006': 'NONE',
    });
    const row = await summary(second.id);
    expect(row).toMatchObject({
      state: 'EXPIRED',
      lateClients: 1,
      messages: { received: 1, programStarted: 1, programSucceeded: 1, lateReports: 1 },
    });
    // The first deployment is untouched by all this.
    expect(await statuses()).toEqual({ ...lastStatuses, 'WKS-0006': 'RECEIVED' });
  });
});
