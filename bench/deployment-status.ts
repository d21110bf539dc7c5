// deployment-status: per-client deployment status at fleet scale.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1/postgres npm run bench -- deployment-status [--clients 20000] [--rounds 20]
//
// On a fresh database with the demo site and N clients, deploys a program to All Systems; every
// client reports Received, Started and then Succeeded (9 in 10) or Failed through Status Manager's
// inbox, processed by the real batch loop as the status-manager worker runs it: the site's filter
// rules (the demo site's defaults write every message to status_message), its reporting
// properties, and both summarizers (component and site system status, deployment status). Then
// the same rows go into an empty copy of status_message by raw COPY, in this same run, as the
// reference for the processing rate. Measures that rate, the expiry of the deployment (every
// client's status kept), and the Deployments view's requests (list with counts, first / filtered
// / deep drill-down pages, CSV) through the real route handlers. Prints one final JSON line with
// the targets it holds the figures to (bench/support/targets.ts).
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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
import { readSiteSettings } from '../lib/sitecontrol/read-site-settings';
import { statusMessageIds as ids } from '../lib/reporting/catalog';
import { appendToInbox } from '../lib/reporting/inbox-repo';
import { processStatusBatch } from '../lib/status/process-status-batch';
import { loadFilterRules } from '../lib/status/repo';
import type { StatusMessage } from '../lib/reporting/status-message.schema';
import { composeSummarizers } from '../lib/summarizers/summarizer-handoff';
import { createStatusSummarizers } from '../lib/summarizers/status-summarizers';
import { consoleSession, freshDatabase, percentile } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

const log = (message: string) => process.stderr.write(`[deployment-status] ${message}\n`);
const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * What the figures are held to. The processing rate is held against the raw COPY of the same
 * rows in the same run (Status Manager parses, evaluates rules, writes, and summarizes in each
 * transaction; COPY only writes), so a slower machine moves both.
 */
const targets: Record<string, Target> = {
  lost: { equals: 0 },
  processedRatio: { min: 0.15 },
  listP95Ms: { max: 250 },
  clientsPageP95Ms: { max: 500 },
  csvMs: { max: 3000 },
  expireMs: { max: 2000 },
};

/** The rows as COPY text (this scenario's values hold no character COPY or an array literal would escape). */
function copyText(messages: StatusMessage[], receivedAt: string, expiresAt: string): string {
  const array = (values: string[]) => `{"${values.join('","')}"}`;
  let text = '';
  for (const m of messages) {
    text +=
      `${m.uid}\t${m.messageId}\t${m.severity}\t${m.type}\t${m.source}\t${m.siteCode}\t${m.systemName}\t${m.component}\t` +
      `${m.sourceTime.toISOString()}\t${receivedAt}\t${array(m.insertionStrings)}\t${JSON.stringify(m.properties)}\t${expiresAt}\n`;
  }
  return text;
}

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
    const pkg = await createPackage({
      actor,
      input: {
        name: 'Bench',
        version: '1',
        manufacturer: '',
        programs: [
          {
            name: 'Install',
            commandLine: 'setup.exe',
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
    const program = (await pool().query(`SELECT id FROM program WHERE package_id = $1`, [pkg.id])).rows[0].id;
    const all = (await pool().query(`SELECT id, member_count FROM collection WHERE collection_id = 'SMS00001'`)).rows[0];
    const start = Date.now();
    const deployment = await createDeployment({
      actor,
      input: {
        name: 'Bench rollout',
        comment: '',
        programId: program,
        collectionId: all.id,
        availableAt: new Date(start - 3_600_000),
        mandatoryAt: null,
        expiresAt: new Date(start + 86_400_000),
      },
    });
    const { rows: devices } = await pool().query(
      `SELECT d.name FROM collection_member m JOIN device d ON d.id = m.device_id WHERE m.collection_id = $1`,
      [all.id],
    );
    log(`${devices.length} clients targeted by ${deployment.deploymentId}`);

    // Each client's three reports, as 1,000-message ingest batches would land in the inbox.
    const message = (device: string, messageId: number, offsetMs: number, exitCode?: number): StatusMessage => ({
      uid: randomUUID(),
      messageId,
      severity: messageId === ids.programFailed ? 'ERROR' : 'INFORMATIONAL',
      type: 'MILESTONE',
      source: 'CLIENT',
      siteCode: 'S01',
      systemName: device,
      component: 'Software Distribution',
      sourceTime: new Date(start + offsetMs),
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
    const quiet = pino({ level: 'silent' });
    // As workers/status-manager wires it; event-log and program actions are not database work.
    const effects = {
      summarizers: composeSummarizers(createStatusSummarizers({ db: pool(), log: quiet }), timed),
      eventLog: () => {},
      programs: { run: () => {} },
      replicationEnabled: false,
    };
    const rules = await loadFilterRules(pool());
    const settings = await readSiteSettings();
    const reporting = { properties: settings.statusReporting, defaultRetentionDays: settings.maintenance.deleteAgedStatusMessages.retentionDays };
    log(`${rules.length} filter rules: ${rules.map((r) => r.name).join('; ')}`);
    let t = performance.now();
    for (;;) {
      const result = await processStatusBatch({ db: pool(), rules, reporting, effects, maxBatches: 10, log: quiet });
      if (!result.messages) break;
    }
    const processMs = performance.now() - t;
    const processedPerSecond = Math.round(messages.length / (processMs / 1000));
    const { rows: storedRows } = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM status_message WHERE uid = ANY($1::uuid[])`, [
      messages.map((m) => m.uid),
    ]);
    const stored = storedRows[0].n;
    log(
      `processed ${messages.length} messages in ${Math.round(processMs)} ms (${processedPerSecond}/s), ${stored} stored, ${Math.round(summarizerMs)} ms in the deployment summarizer`,
    );

    // The reference: the same rows by raw COPY into an empty table shaped (and indexed) as status_message.
    await pool().query(`CREATE TABLE bench_copy (LIKE status_message INCLUDING ALL)`);
    await pool().query('CHECKPOINT');
    const copyClient = await pool().connect();
    const receivedAt = new Date().toISOString();
    const expiresAt = new Date(Date.now() + 30 * 86_400_000).toISOString();
    t = performance.now();
    try {
      await pipeline(
        Readable.from(
          Array.from({ length: Math.ceil(messages.length / 1000) }, (_, i) =>
            copyText(messages.slice(i * 1000, (i + 1) * 1000), receivedAt, expiresAt),
          ),
        ),
        copyClient.query(
          copyFrom(`COPY bench_copy (uid, message_id, severity, type, source, site_code, system_name, component, source_time,
                                     received_at, insertion_strings, properties, expires_at) FROM STDIN`),
        ),
      );
    } finally {
      copyClient.release();
    }
    const copyPerSecond = Math.round(messages.length / ((performance.now() - t) / 1000));
    await pool().query(`DROP TABLE bench_copy`);
    await pool().query('ANALYZE');

    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const session = await consoleSession(admin, 'READ_ONLY_ANALYST', 'bench-analyst');
    await admin.end();
    const headers = { cookie: `${session.cookie}; sitebox_csrf=${session.csrf}` };
    const call = async (handler: (req: NextRequest, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, path: string) => {
      const started = performance.now();
      const response = await handler(new NextRequest(`http://localhost${path}`, { headers }), {
        params: Promise.resolve({ id: String(deployment.id) }),
      });
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
    const counts = (
      await pool().query(`SELECT status, count(*)::int AS n FROM deployment_client_status WHERE deployment_id = $1 GROUP BY status ORDER BY status`, [
        id,
      ])
    ).rows;
    const expected = { SUCCEEDED: devices.length - Math.ceil(devices.length / 10), FAILED: Math.ceil(devices.length / 10) };
    const got = Object.fromEntries(counts.map((c) => [c.status, c.n]));
    if (got.SUCCEEDED !== expected.SUCCEEDED || got.FAILED !== expected.FAILED) throw new Error(`statuses after expiry: ${JSON.stringify(got)}`);
    const expiredListMs = await call(listDeployments as never, '/api/deployments');

    for (const [view, ms] of Object.entries(timings)) log(`${view}: p50 ${round(percentile(ms, 50))} ms, p95 ${round(percentile(ms, 95))} ms`);
    const p95 = (view: string) => round(percentile(timings[view], 95));
    return reportFigures(
      'deployment-status',
      {
        clients: devices.length,
        messages: messages.length,
        stored,
        lost: messages.length - stored,
        processedPerSecond,
        copyPerSecond,
        processedRatio: Math.round((processedPerSecond / copyPerSecond) * 1000) / 1000,
        summarizerMs: Math.round(summarizerMs),
        listP95Ms: p95('list'),
        clientsPageP95Ms: Math.max(p95('clientsFirstPage'), p95('clientsFailed'), p95('clientsSearch'), p95('clientsLastPage')),
        csvMs: Math.round(csvMs),
        expireMs: Math.round(expireMs),
        expiredListMs: round(expiredListMs),
      },
      targets,
    );
  } finally {
    await closePool();
    await closePrisma();
    await db.drop();
  }
}
