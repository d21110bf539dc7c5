// deployment-status: per-client deployment status at fleet scale.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1/postgres npm run bench -- deployment-status [--clients 20000] [--rounds 20]
//
// On a fresh database with the demo site and N clients, deploys a program to All Systems; every
// client reports Received, Started and then Succeeded (9 in 10) or Failed through Status Manager's
// inbox, processed by the real batch loop with the deployment status summarizer. Measures the
// processing rate, the expiry of the deployment (every client's status kept), and the Deployments
// view's requests (list with counts, first / filtered / deep drill-down pages, CSV) through the real
// route handlers. Prints one final JSON line.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { NextRequest } from 'next/server';
import { GET as clientsCsv } from '../app/api/deployments/[id]/clients.csv/route';
import { GET as listClients } from '../app/api/deployments/[id]/clients/route';
import { GET as listDeployments } from '../app/api/deployments/route';
import { resetConfig } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { closePool, pool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { createDeployment } from '../lib/deployments/create-deployment';
import { createPackage } from '../lib/deployments/create-package';
import { deploymentStatusSummarizer } from '../lib/deployments/deployment-status-summarizer';
import { expireDeployments } from '../lib/deployments/expire-deployments';
import { seedDemoSite } from '../lib/seed/seed-demo-site';
import { statusMessageIds as ids } from '../lib/reporting/catalog';
import { appendToInbox } from '../lib/reporting/inbox-repo';
import { processStatusBatch } from '../lib/status/process-status-batch';
import type { StatusMessage } from '../lib/reporting/status-message.schema';
import { consoleSession, freshDatabase, percentile } from './support/sitebox-server';

const log = (message: string) => process.stderr.write(`[deployment-status] ${message}\n`);
const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

export default async function deploymentStatusBench(args: string[]) {
  const clients = option(args, 'clients', 20_000);
  const rounds = option(args, 'rounds', 20);
  const db = await freshDatabase('sitebox_bench_deployments');
  try {
    process.env.DATABASE_URL = db.url;
    resetConfig();
    await migrate({ connectionString: db.url });
    await seedDemoSite({ devices: clients });
    const actor = { principal: { userId: 0, userName: 'bench', role: 'FULL_ADMINISTRATOR' as const }, address: '127.0.0.1' };
    const pkg = await createPackage({ actor, input: { name: 'Bench', version: '1', manufacturer: '', programs: [{ name: 'Install', commandLine: 'setup.exe', runConditions: { userLogon: 'whether-or-not', runMode: 'administrative', maxRunMinutes: 60, retries: 0, retryIntervalMinutes: 10, successExitCodes: [0] } }] } });
    const program = (await pool().query(`SELECT id FROM program WHERE package_id = $1`, [pkg.id])).rows[0].id;
    const all = (await pool().query(`SELECT id, member_count FROM collection WHERE collection_id = 'SMS00001'`)).rows[0];
    const start = Date.now();
    const deployment = await createDeployment({
      actor,
      input: { name: 'Bench rollout', comment: '', programId: program, collectionId: all.id, availableAt: new Date(start - 3_600_000), mandatoryAt: null, expiresAt: new Date(start + 86_400_000) },
    });
    const { rows: devices } = await pool().query(`SELECT d.name FROM collection_member m JOIN device d ON d.id = m.device_id WHERE m.collection_id = $1`, [all.id]);
    log(`${devices.length} clients targeted by ${deployment.deploymentId}`);

    // Each client's three reports, as 1,000-message ingest batches would land in the inbox.
    const message = (device: string, messageId: number, offsetMs: number, exitCode?: number): StatusMessage => ({
      uid: randomUUID(), messageId, severity: messageId === ids.programFailed ? 'ERROR' : 'INFORMATIONAL', type: 'MILESTONE', source: 'CLIENT',
      siteCode: 'S01', systemName: device, component: 'Software Distribution', sourceTime: new Date(start + offsetMs),
      insertionStrings: [deployment.deploymentId, 'S0100001', 'Install', ...(exitCode === undefined ? [] : [String(exitCode)])],
      properties: { AdvertisementID: deployment.deploymentId },
    });
    const messages: StatusMessage[] = [];
    devices.forEach(({ name }, i) => {
      const fails = i % 10 === 0;
      messages.push(
        message(name, ids.programReceived, 0),
        message(name, ids.programStarted, 60_000),
        fails ? message(name, ids.programFailed, 120_000, 1603) : message(name, ids.programSucceeded, 120_000, 0),
      );
    });
    // Reports interleave across clients as they would arrive.
    for (let i = messages.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [messages[i], messages[j]] = [messages[j], messages[i]];
    }
    for (let i = 0; i < messages.length; i += 1000) await appendToInbox({ db: pool(), messages: messages.slice(i, i + 1000), origin: 'mp' });

    let summarizerMs = 0;
    const timed: typeof deploymentStatusSummarizer = async (handoff) => {
      const started = performance.now();
      await deploymentStatusSummarizer(handoff);
      summarizerMs += performance.now() - started;
    };
    const effects = { summarizers: timed, eventLog: () => {}, programs: { run: () => {} }, replicationEnabled: false };
    let t = performance.now();
    for (;;) {
      const result = await processStatusBatch({ db: pool(), rules: [], effects, maxBatches: 10, log: pino({ level: 'silent' }) });
      if (!result.messages) break;
    }
    const processMs = performance.now() - t;
    const processedPerSecond = Math.round(messages.length / (processMs / 1000));
    log(`processed ${messages.length} messages in ${Math.round(processMs)} ms (${processedPerSecond}/s), ${Math.round(summarizerMs)} ms of it in the deployment summarizer`);
    await pool().query('ANALYZE');

    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const session = await consoleSession(admin, 'READ_ONLY_ANALYST', 'bench-analyst');
    await admin.end();
    const headers = { cookie: `${session.cookie}; sitebox_csrf=${session.csrf}` };
    const call = async (handler: (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, path: string) => {
      const started = performance.now();
      const response = await handler(new NextRequest(`http://localhost${path}`, { headers }), { params: Promise.resolve({ id: String(deployment.id) }) });
      await response.text();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      return performance.now() - started;
    };
    const id = deployment.id;
    const last = Math.ceil(devices.length / 50);
    const views: Record<string, string> = {
      list: '/api/deployments',
      clientsFirstPage: `/api/deployments/${id}/clients`,
      clientsFailed: `/api/deployments/${id}/clients?status=FAILED`,
      clientsSearch: `/api/deployments/${id}/clients?search=NYC-WS-00`,
      clientsLastPage: `/api/deployments/${id}/clients?page=${last}`,
    };
    const timings: Record<string, number[]> = {};
    // One untimed round first: the first call of each handler loads its modules.
    for (let r = -1; r < rounds; r++) {
      for (const [view, path] of Object.entries(views)) {
        const ms = await call(view === 'list' ? (listDeployments as never) : (listClients as never), path);
        if (r >= 0) (timings[view] ??= []).push(ms);
      }
    }
    const csvMs = await call(clientsCsv as never, `/api/deployments/${id}/clients.csv`);

    // Expiry: marked once, every client recorded, no status changed.
    t = performance.now();
    await pool().query(`UPDATE deployment SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    await expireDeployments();
    const expireMs = performance.now() - t;
    const counts = (await pool().query(`SELECT status, count(*)::int AS n FROM deployment_client_status WHERE deployment_id = $1 GROUP BY status ORDER BY status`, [id])).rows;
    const expected = { SUCCEEDED: devices.length - Math.ceil(devices.length / 10), FAILED: Math.ceil(devices.length / 10) };
    const got = Object.fromEntries(counts.map((c) => [c.status, c.n]));
    if (got.SUCCEEDED !== expected.SUCCEEDED || got.FAILED !== expected.FAILED) throw new Error(`statuses after expiry: ${JSON.stringify(got)}`);
    const expiredListMs = await call(listDeployments as never, '/api/deployments');

    for (const [view, ms] of Object.entries(timings)) log(`${view}: p50 ${round(percentile(ms, 50))} ms, p95 ${round(percentile(ms, 95))} ms`);
    const p95 = (view: string) => round(percentile(timings[view], 95));
    console.log(JSON.stringify({
      scenario: 'deployment-status',
      clients: devices.length,
      messages: messages.length,
      processedPerSecond,
      summarizerMs: Math.round(summarizerMs),
      listP95Ms: p95('list'),
      clientsPageP95Ms: Math.max(p95('clientsFirstPage'), p95('clientsFailed'), p95('clientsSearch'), p95('clientsLastPage')),
      csvMs: Math.round(csvMs),
      expireMs: Math.round(expireMs),
      expiredListMs: round(expiredListMs),
    }));
  } finally {
    await closePool();
    await closePrisma();
    await db.drop();
  }
}
