// retention: Delete Aged Status Messages on a status_message partitioned by expiry day.
//
//   npm run bench -- retention [--days 20] [--per-day 1000000]
//
// On a fresh database (of DATABASE_URL's server, or an embedded PostgreSQL), loads `days` days
// of status messages at `per-day` a day with COPY: received on each of the last `days` days and
// kept `days - 1` days, so the oldest day's are due now and the others are not. Each
// day goes into its own table by COPY and is attached as its day partition (its indexes built
// then). In the same run it times the row-by-row purge (the statement the purge used before the
// table was partitioned: DELETE ... WHERE id IN (SELECT ... LIMIT 10000), repeated) over a copy
// of the due day's rows with the same indexes: deleteBaselineMs. Then a steady ingest runs
// through Status Manager's own path (inbox append as the management point does, then
// processStatusBatch: rules, dedup lookup, COPY into status_message) while a console reader pages
// the viewer's query, and one Delete Aged Status Messages drops the due day: purgeMs is the time
// until the day's messages are out of status_message (its partition detached), reclaimMs the time
// until the purge is over, the day's files freed at the purge's pace.
// ingestDuringPurgeRatio is the ingest rate over the whole purge (at least one second from its
// start) against the rate over the five seconds before it, once the ingest has run for
// --warm-up-seconds (10) to settle.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { migrate } from '../lib/db/migrator';
import { closePool, pool } from '../lib/db/pool';
import { appendToInbox } from '../lib/reporting/inbox-repo';
import type { StatusMessage } from '../lib/reporting/status-message.schema';
import { DEFAULT_PARTITION_DAYS_AHEAD, deleteAgedStatusMessages } from '../lib/status/delete-aged-status-messages';
import { dayStart, ensureStatusPartitions, partitionName } from '../lib/status/partition-repo';
import { processStatusBatch } from '../lib/status/process-status-batch';
import type { FilterRule } from '../lib/status/status-filter-rule.schema';
import { selectStatusMessagePage } from '../lib/status-viewer/status-message-repo';
import { noSummarizers } from '../lib/summarizers/summarizer-handoff';
import { freshDatabase, percentile, sleep } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

const log = (message: string) => process.stderr.write(`[retention] ${message}\n`);
const DAY_MS = 86_400_000;

const targets: Record<string, Target> = {
  purgeMs: { max: 1000 },
  ingestDuringPurgeRatio: { min: 0.9 },
  viewerP95Ms: { max: 100 },
};

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

const COLUMNS =
  'uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at, process_id, thread_id, insertion_strings, properties, expires_at';
const COMPONENTS = ['Software Metering Agent', 'Software Distribution', 'Inventory Agent', 'Software Updates Agent'];

/** COPY text of `count` messages received through the day starting `received`, each kept `keepDays`. */
function* dayOfMessages(received: number, keepDays: number, count: number): Generator<string> {
  const step = DAY_MS / count;
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const at = received + Math.floor(i * step);
    const receivedAt = new Date(at).toISOString();
    const severity = i % 100 === 0 ? 'ERROR' : i % 20 === 0 ? 'WARNING' : 'INFORMATIONAL';
    chunk +=
      `${randomUUID()}\t${10900 + (i % 20)}\t${severity}\tMILESTONE\tCLIENT\tS01\tWKS${String(i % 1000).padStart(4, '0')}\t${COMPONENTS[i % 4]}\t` +
      `${receivedAt}\t${receivedAt}\t${i % 5000}\t${i % 700}\t{"S0100001","app${i % 50}.exe"}\t{}\t${new Date(at + keepDays * DAY_MS).toISOString()}\n`;
    if (chunk.length > 512 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** Loads each day into its own table by COPY and attaches it as its day partition. */
async function loadDays(db: pg.Client, options: { days: number; perDay: number; now: number }) {
  const keepDays = options.days - 1;
  await db.query(`SET maintenance_work_mem = '256MB'`);
  for (let d = 0; d < options.days; d++) {
    const received = dayStart(new Date(options.now)).getTime() - (options.days - d) * DAY_MS;
    const due = dayStart(new Date(received + keepDays * DAY_MS));
    const name = partitionName(due);
    const started = performance.now();
    await db.query(`CREATE TABLE ${name} (LIKE status_message INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await pipeline(Readable.from(dayOfMessages(received, keepDays, options.perDay)), db.query(copyFrom(`COPY ${name} (${COLUMNS}) FROM STDIN`)));
    await db.query(
      `ALTER TABLE status_message ATTACH PARTITION ${name} FOR VALUES FROM ('${due.toISOString()}') TO ('${new Date(due.getTime() + DAY_MS).toISOString()}')`,
    );
    await db.query(`ANALYZE ${name}`);
    log(`day ${d + 1}/${options.days}: ${options.perDay} rows into ${name} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** The row-by-row purge the table had before partitions, over a copy of the due day's rows with the same indexes. */
async function deleteBaseline(db: pg.Client, duePartition: string, now: Date): Promise<{ ms: number; rows: number }> {
  await db.query(`CREATE TABLE bench_delete (LIKE status_message INCLUDING DEFAULTS INCLUDING INDEXES)`);
  await db.query(`INSERT INTO bench_delete SELECT * FROM ${duePartition}`);
  await db.query(`VACUUM ANALYZE bench_delete`);
  await db.query('CHECKPOINT');
  let rows = 0;
  const started = performance.now();
  for (;;) {
    const deleted = await db.query(
      `DELETE FROM bench_delete WHERE id IN (SELECT id FROM bench_delete WHERE expires_at <= $1 ORDER BY expires_at LIMIT 10000)`,
      [now],
    );
    rows += deleted.rowCount ?? 0;
    if ((deleted.rowCount ?? 0) < 10_000) break;
  }
  const ms = performance.now() - started;
  await db.query(`DROP TABLE bench_delete`);
  return { ms, rows };
}

const ingestRule: FilterRule = {
  id: 1,
  name: 'bench: store',
  priority: 1,
  enabled: true,
  builtIn: false,
  source: null,
  siteCode: null,
  systemName: null,
  component: null,
  messageType: null,
  severity: null,
  messageId: null,
  propertyName: null,
  propertyValue: null,
  writeToDatabase: true,
  retentionDays: 7,
  reportToEventLog: false,
  replicateToParent: 'NONE',
  forwardToSummarizers: false,
  runProgram: null,
  stopProcessing: true,
};

function ingestMessage(i: number): StatusMessage {
  return {
    uid: randomUUID(),
    messageId: 10907,
    severity: 'INFORMATIONAL',
    type: 'MILESTONE',
    source: 'CLIENT',
    siteCode: 'S01',
    systemName: `WKS${String(i % 1000).padStart(4, '0')}`,
    component: 'Software Metering Agent',
    sourceTime: new Date(),
    insertionStrings: ['S0100001', 'winword.exe'],
    properties: {},
  };
}

export default async function retention(args: string[]) {
  const days = option(args, 'days', 20);
  const perDay = option(args, 'per-day', 1_000_000);
  const batch = option(args, 'batch', 500);
  const warmUpSeconds = option(args, 'warm-up-seconds', 10);
  const database = await freshDatabase('sitebox_retention');
  process.env.DATABASE_URL = database.url;
  const loader = new pg.Client({ connectionString: database.url });
  try {
    await migrate({ connectionString: database.url });
    await loader.connect();
    const now = Date.now();
    log(`loading ${days} days x ${perDay} messages`);
    await loadDays(loader, { days, perDay, now });
    const duePartition = partitionName(dayStart(new Date(now - DAY_MS)));
    const rows = Number((await loader.query(`SELECT count(*)::text AS n FROM status_message`)).rows[0].n);

    log(`row-by-row DELETE of ${duePartition}'s rows on a copy`);
    const baseline = await deleteBaseline(loader, duePartition, new Date(now));
    log(`baseline: ${baseline.rows} rows in ${(baseline.ms / 1000).toFixed(1)} s`);
    // As Status Manager does when it starts: today's and the next days' partitions exist.
    await ensureStatusPartitions({ db: pool(), now: new Date(now), daysAhead: DEFAULT_PARTITION_DAYS_AHEAD });
    await loader.query('CHECKPOINT');

    const effects = { summarizers: noSummarizers, eventLog() {}, programs: { run() {} }, replicationEnabled: false };
    const silent = (await import('pino')).default({ level: 'silent' });
    // Ingest: what the management point appends, then Status Manager's batch, back to back.
    const ingested: { at: number; n: number }[] = [];
    let running = true;
    let sequence = 0;
    const ingest = (async () => {
      while (running) {
        const messages = Array.from({ length: batch }, () => ingestMessage(sequence++));
        await appendToInbox({ db: pool(), messages, origin: 'mp' });
        const result = await processStatusBatch({ db: pool(), rules: [ingestRule], effects, maxBatches: 10, log: silent });
        ingested.push({ at: performance.now(), n: result.stored });
      }
    })();
    // The console reader: the viewer's first page, unfiltered and by severity, then the next page.
    const viewerMs: number[] = [];
    const reader = (async () => {
      while (running) {
        for (const filters of [{}, { severity: ['ERROR' as const] }, { component: COMPONENTS[1] }]) {
          const started = performance.now();
          const page = await selectStatusMessagePage(pool(), { filters, limit: 50 });
          const last = page.at(-1);
          if (last)
            await selectStatusMessagePage(pool(), { filters, limit: 50, cursor: { receivedAt: last.received_at.toISOString(), id: last.id } });
          viewerMs.push(performance.now() - started);
        }
        await sleep(50);
      }
    })();

    // The ingest's first seconds after the load's CHECKPOINT run faster than it then keeps up
    // (about 7% over ten seconds, with no purge at all): "before" is measured once it has settled.
    await sleep(warmUpSeconds * 1000);
    const before = performance.now();
    await sleep(5_000);
    const purgeStarted = performance.now();
    let detachedAt = Number.NaN;
    const purge = await deleteAgedStatusMessages({
      db: pool(),
      ledgerDays: 7,
      now: new Date(Date.now()),
      onDetached: () => (detachedAt = performance.now()),
    });
    const purgeEnded = performance.now();
    const purgeMs = detachedAt - purgeStarted;
    // Every step of the purge, the paced freeing of the day's files included, lies in the window.
    const windowEnd = Math.max(purgeEnded, purgeStarted + 1_000);
    while (performance.now() < windowEnd + 200) await sleep(50);
    running = false;
    await Promise.all([ingest, reader]);

    const rate = (from: number, to: number) => ingested.filter((b) => b.at > from && b.at <= to).reduce((s, b) => s + b.n, 0) / ((to - from) / 1000);
    const rateBefore = rate(before, purgeStarted);
    const rateDuring = rate(purgeStarted, windowEnd);
    // The worst second of the window, for the record: the pacing spreads the cost, this shows how evenly.
    let worstSecond = Number.POSITIVE_INFINITY;
    for (let from = purgeStarted; from + 1_000 <= windowEnd; from += 100) worstSecond = Math.min(worstSecond, rate(from, from + 1_000));
    log(
      `purge: ${JSON.stringify(purge)}; due day gone after ${purgeMs.toFixed(0)} ms, its files freed after ${(purgeEnded - purgeStarted).toFixed(0)} ms; ` +
        `ingest ${rateBefore.toFixed(0)}/s before, ${rateDuring.toFixed(0)}/s during, worst second ${worstSecond.toFixed(0)}/s`,
    );
    return reportFigures(
      'retention',
      {
        rows,
        purgedRows: purge.messages,
        purgeMs: Math.round(purgeMs),
        reclaimMs: Math.round(purgeEnded - purgeStarted),
        deleteBaselineMs: Math.round(baseline.ms),
        ingestDuringPurgeRatio: Number((rateDuring / rateBefore).toFixed(3)),
        viewerP95Ms: Number(percentile(viewerMs, 95).toFixed(1)),
      },
      targets,
    );
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    throw error;
  } finally {
    await loader.end().catch(() => undefined);
    await closePool().catch(() => undefined);
    await database.drop().catch(() => undefined);
  }
}
