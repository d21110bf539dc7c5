// status-flood: the software metering flood of the reference (500 clients x 500 rules = 250,000
// 10907 acknowledgements) against a real Sitebox on a fresh database, over HTTP.
//
//   npm run bench -- status-flood [--clients 500] [--per-client 500]
//
// Starts Sitebox (server.ts, production build, all workers) on a fresh embedded PostgreSQL in a
// temporary folder, or on a fresh database of DATABASE_URL's server when that is set. Each
// simulated client is a StatusReporter (lib/agent/status-reporter.ts) with its own disk spool, so 503s,
// Retry-After and retries are the agent's own; the clients count what they sent again and why.
// A console reader pages GET /api/status-messages throughout. When every message is processed it
// checks what was stored and what Status Manager refused as already processed, then pauses
// Sitebox's processes (server and workers; its database keeps running) and times a raw COPY of
// the same rows into the same (emptied) table, and prints one JSON line with the targets it holds
// the figures to (bench/support/targets.ts).
import { fork, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { buildServer } from '../scripts/build-server.mjs';
import { from as copyFrom } from 'pg-copy-streams';
import { hashToken, newToken } from '../lib/auth/tokens';
import { freePort } from '../lib/net/free-port';
import type { StatusMessage } from '../lib/reporting/status-message.schema';
import { clientMessages, type FloodPlan } from './support/flood-messages';
import type { FloodClientCounts } from './support/flood-clients';
import { consoleSession, freshDatabase, pauseProcessTree, percentile, sleep, stopSitebox } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

const log = (message: string) => process.stderr.write(`[status-flood] ${message}\n`);

/**
 * What the figures are held to. Nothing may be lost; Status Manager may refuse a message as
 * already processed only when a client sent it again after a request that got no answer (the
 * management point may have taken it): any other refusal means a batch was delivered twice
 * inside Sitebox. The rate is held against the raw COPY of the same rows in the same run.
 */
const targets: Record<string, Target> = {
  lost: { equals: 0 },
  unexplainedRedeliveries: { equals: 0 },
  ratio: { min: 0.2 },
  apiP95Ms: { max: 1500 },
};

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

/** A fresh database: a new one on DATABASE_URL's server, or none (Sitebox then runs its own embedded one). */
async function freshDatabaseIfConfigured(): Promise<{ url: string | null; drop(): Promise<void> }> {
  if (!process.env.DATABASE_URL) return { url: null, drop: async () => {} };
  return freshDatabase('sitebox_bench');
}

async function startSitebox(options: { dataDir: string; databaseUrl: string | null }) {
  const port = await freePort();
  const pgPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    SITEBOX_DATA_DIR: options.dataDir,
    SITEBOX_EMBEDDED_PG_PORT: String(pgPort),
    SITEBOX_ADMIN_PASSWORD: 'bench-admin-password',
    SITEBOX_SEED_DEVICES: '500',
    NEXT_TELEMETRY_DISABLED: '1',
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else delete env.DATABASE_URL;
  await buildServer();
  const child = spawn(process.execPath, ['dist/server/server.mjs'], { env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (/"level":(50|60)/.test(line)) process.stderr.write(`[sitebox] ${line}\n`);
  });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Sitebox exited with code ${child.exitCode} while starting`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) throw new Error('Sitebox did not become healthy within 3 minutes');
    await sleep(500);
  }
  const databaseUrl = options.databaseUrl ?? `postgresql://postgres:postgres@127.0.0.1:${pgPort}/sitebox`;
  return { child, url, databaseUrl };
}

/** Gives each simulated client its own device credential, as registration does; their Authorization values, in order. */
async function issueDeviceCredentials(db: pg.Client, devices: string[]): Promise<string[]> {
  const secrets = devices.map(() => newToken());
  const { rows } = await db.query<{ name: string; id: number }>(
    `UPDATE device d SET credential_hash = t.hash FROM unnest($1::text[], $2::text[]) AS t(name, hash)
     WHERE d.name = t.name RETURNING d.name, d.id`,
    [devices, secrets.map(hashToken)],
  );
  const ids = new Map(rows.map((r) => [r.name, r.id]));
  return devices.map((name, i) => `Device ${ids.get(name)}.${secrets[i]}`);
}

function copyText(messages: StatusMessage[], receivedAt: string, expiresAt: string): string {
  let text = '';
  for (const m of messages) {
    text +=
      `${m.uid}\t${m.messageId}\t${m.severity}\t${m.type}\t${m.source}\t${m.siteCode}\t${m.systemName}\t${m.component}\t` +
      `${m.sourceTime.toISOString()}\t${receivedAt}\t${m.processId}\t${m.threadId}\t{"${m.insertionStrings.join('","')}"}\t{}\t${expiresAt}\n`;
  }
  return text;
}

export default async function statusFlood(args: string[]) {
  const clients = option(args, 'clients', 500);
  const perClient = option(args, 'per-client', 500);
  const spreadMs = option(args, 'spread-ms', 2000);
  const total = clients * perClient;

  log('checking the console build (npm start does the same)');
  const build = spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (build.status !== 0) throw new Error('the console build failed');

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-bench-'));
  // As root, the embedded PostgreSQL runs as its own user, which must reach its data folder.
  await chmod(workDir, 0o755);
  const database = await freshDatabaseIfConfigured();
  log(database.url ? "fresh database on DATABASE_URL's server" : `fresh embedded PostgreSQL in ${workDir}`);
  const sitebox = await startSitebox({ dataDir: path.join(workDir, 'sitebox'), databaseUrl: database.url });
  const db = new pg.Client({ connectionString: sitebox.databaseUrl });
  await db.connect();
  try {
    const devices = (await db.query<{ name: string }>(`SELECT name FROM device ORDER BY id LIMIT $1`, [clients])).rows.map((r) => r.name);
    if (devices.length < clients) throw new Error(`only ${devices.length} devices seeded`);
    const { cookie } = await consoleSession(db, 'READ_ONLY_ANALYST', 'bench-reader');
    const authorizations = await issueDeviceCredentials(db, devices);
    const plan: FloodPlan = { runId: randomUUID(), devices, perClient, baseTime: Date.now() };
    const messages = devices.map((_, i) => clientMessages(plan, i));
    const clientsProcess = fork(path.join(process.cwd(), 'bench', 'support', 'flood-clients.ts'), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const fromClients = (type: string) =>
      new Promise<FloodClientCounts | undefined>((resolve, reject) => {
        const onMessage = (m: { type: string; message?: string; counts?: FloodClientCounts }) => {
          if (m.type === 'failed') reject(new Error(`simulated clients failed: ${m.message}`));
          if (m.type !== type) return;
          clientsProcess.off('message', onMessage);
          resolve(m.counts);
        };
        clientsProcess.on('message', onMessage);
        clientsProcess.once('exit', (code) => reject(new Error(`simulated clients exited (${code})`)));
      });
    const ready = fromClients('ready');
    clientsProcess.send({ type: 'prepare', plan, authorizations, url: sitebox.url, spoolRoot: path.join(workDir, 'clients'), spreadMs });
    await ready;

    // Warm-up, untimed: the first request to each route loads its code.
    const warmUp = { ...clientMessages(plan, 0)[0], uid: randomUUID(), messageId: 10002, insertionStrings: [] };
    await fetch(`${sitebox.url}/api/mp/status-messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', authorization: authorizations[0] },
      body: JSON.stringify({ device: devices[0], messages: [warmUp] }),
    }).then((r) => r.arrayBuffer());
    await fetch(`${sitebox.url}/api/status-messages?limit=50`, { headers: { cookie } }).then((r) => r.arrayBuffer());

    // The console reader: one page of the viewer at a time, throughout the flood.
    const latencies: number[] = [];
    const readAt: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        const started = performance.now();
        const response = await fetch(`${sitebox.url}/api/status-messages?limit=50`, { headers: { cookie } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`console read answered ${response.status}`);
        latencies.push(performance.now() - started);
        readAt.push(started);
        await sleep(100);
      }
    })();

    log(`flooding: ${clients} clients x ${perClient} messages, each client starting within ${spreadMs} ms`);
    const accepted = fromClients('accepted');
    const started = performance.now();
    clientsProcess.send({ type: 'go' });
    const sent = (await accepted)!;
    clientsProcess.disconnect();
    const acceptedAt = performance.now();
    log(`all ${total} accepted by the management point after ${((acceptedAt - started) / 1000).toFixed(1)} s; waiting for Status Manager`);
    const deadline = Date.now() + 10 * 60_000;
    for (;;) {
      const { rows } = await db.query(`SELECT coalesce(sum(message_count), 0)::int AS depth FROM status_inbox`);
      if (rows[0].depth === 0 || Date.now() > deadline) break;
      await sleep(50);
    }
    const seconds = (performance.now() - started) / 1000;
    reading = false;
    await reader;

    // What was stored: every uid sent, once.
    await db.query(`CREATE TEMP TABLE bench_uid (uid uuid PRIMARY KEY)`);
    await pipeline(
      Readable.from(messages.map((batch) => batch.map((m) => `${m.uid}\n`).join(''))),
      db.query(copyFrom(`COPY bench_uid (uid) FROM STDIN`)),
    );
    const check = await db.query(
      `SELECT (SELECT count(*) FROM status_message WHERE message_id = 10907)::int AS stored,
              (SELECT count(*) FROM bench_uid b WHERE EXISTS (SELECT 1 FROM status_message m WHERE m.uid = b.uid))::int AS found`,
    );
    const { stored, found } = check.rows[0];
    const metrics = await fetch(`${sitebox.url}/api/metrics`).then((r) => r.text());
    const metric = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(metrics)?.[1] ?? NaN);
    const count503 = metric('sitebox_status_ingest_requests_total\\{outcome="throttled"\\}');
    // Messages Status Manager recognised by uid as processed before and refused to act on again.
    const refusedRedeliveries = metric('sitebox_status_duplicate_messages_total');

    // The same rows by raw COPY into the same table, emptied first, in this same run, with
    // Sitebox's own processes paused so they take no CPU from it.
    await db.query(`TRUNCATE status_message`);
    await db.query('CHECKPOINT');
    const resume = pauseProcessTree(sitebox.child.pid!);
    const receivedAt = new Date().toISOString();
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const copyStarted = performance.now();
    try {
      await pipeline(
        Readable.from(messages.map((batch) => copyText(batch, receivedAt, expiresAt))),
        db.query(
          copyFrom(
            `COPY status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time,
                                  received_at, process_id, thread_id, insertion_strings, properties, expires_at) FROM STDIN`,
          ),
        ),
      );
    } finally {
      resume();
    }
    const copySeconds = (performance.now() - copyStarted) / 1000;

    const rate = total / seconds;
    const copyRate = total / copySeconds;
    const firstSeconds = latencies.filter((_, i) => readAt[i] - started < 3000);
    const later = latencies.filter((_, i) => readAt[i] - started >= 3000);
    log(
      `clients: ${sent.requests} requests, ${sent.answered503} answered 503, ${sent.unanswered} unanswered, ${sent.otherErrors} other errors; ` +
        `${sent.resentMessages} messages sent again (${sent.resentAfterNoAnswer} after no answer); Status Manager refused ${refusedRedeliveries} as processed before`,
    );
    log(
      `503 answers: ${count503}; console reads: ${latencies.length}, p50 ${percentile(latencies, 50).toFixed(1)} ms, ` +
        `max ${Math.max(...latencies).toFixed(1)} ms; p95 in the first 3 s ${percentile(firstSeconds, 95).toFixed(1)} ms, after ${percentile(later, 95).toFixed(1)} ms`,
    );
    return reportFigures(
      'status-flood',
      {
        messages: total,
        stored,
        lost: total - found,
        requests: sent.requests,
        retriedRequests: sent.retriedRequests,
        resentMessages: sent.resentMessages,
        resentAfterNoAnswer: sent.resentAfterNoAnswer,
        refusedRedeliveries,
        unexplainedRedeliveries: Math.max(0, refusedRedeliveries - sent.resentAfterNoAnswer),
        answered503: sent.answered503,
        server503: count503,
        seconds: Number(seconds.toFixed(2)),
        rate: Math.round(rate),
        copyRate: Math.round(copyRate),
        ratio: Number((rate / copyRate).toFixed(3)),
        apiP95Ms: Number(percentile(latencies, 95).toFixed(1)),
      },
      targets,
    );
  } finally {
    await db.end().catch(() => undefined);
    await stopSitebox(sitebox.child);
    await database.drop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}
