// summarizer: the Component Status view's data request over 10,000,000 stored messages while
// messages keep arriving, and how soon a processed message shows in it.
//
//   [DATABASE_URL=postgres://...] npm run bench -- summarizer [--messages 10000000] [--systems 100]
//     [--components 40] [--seconds 60] [--rate 1000] [--keep (the database, for a look afterwards)]
//
// On a fresh database: a site with `systems` site systems of `components` components each and
// the default "write all messages" filter rule; `messages` stored messages generated in SQL over
// the last seven days (indexes built after), varied as a site's are: busy and quiet site systems
// and components, each component with its own message IDs, warnings and errors on every system at
// rates that differ by component, life-cycle messages now and then. The summaries are built by
// the real Component Status summarizer (lib/summarizers/status-summarizers.ts), handed the stored
// rows in arrival order in batches, as Status Manager hands them over; the bench checks that they
// count every message.
//
// Then Sitebox runs (server.ts, production build, with the status-manager worker) on that
// database. A feeder POSTs `rate` messages a second to the ingest endpoint
// (/api/mp/status-messages, with a site system credential), each half second carrying a probe
// error for one component. Every summary change Status Manager notifies is followed, as the
// console does, by GET /api/component-status over HTTP, and by GET /api/health as the baseline
// of an HTTP request to the same server in the same moment. componentStatusP95Ms times the
// Component Status requests, liveLagP95Ms the time from posting a probe to the first answer that
// counts it. Prints one final JSON line with the targets it holds the figures to.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import pino from 'pino';
import { resetConfig } from '../lib/config';
import { listen } from '../lib/db/listen';
import { migrate } from '../lib/db/migrator';
import { closePool, pool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { issueSiteSystemCredential } from '../lib/sites/site-system-credentials';
import { statusMessageIds } from '../lib/reporting/catalog';
import type { ProcessedMessage } from '../lib/status/process-status-batch';
import type { Severity, StatusMessage } from '../lib/reporting/status-message.schema';
import { createStatusSummarizers } from '../lib/summarizers/status-summarizers';
import type { ComponentStatusView } from '../lib/summarizers/read-component-status';
import { channels } from '../lib/db/channels';
import { consoleSession, freshDatabase, percentile, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

const log = (message: string) => process.stderr.write(`[summarizer] ${message}\n`);
const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TZ = 'America/New_York';
const system = (n: number) => `S01-SYS${String(n).padStart(3, '0')}.corp.example.com`;
const component = (n: number) => `SMS_COMPONENT_${String(n).padStart(2, '0')}`;

/**
 * What the figures are held to. The Component Status request is held by what it takes beyond the
 * health request to the same server in the same moments (httpBaselineP95Ms, the cost of any
 * request there), so a loaded or slower machine moves both.
 */
const targets: Record<string, Target> = {
  unsummarized: { equals: 0 },
  componentStatusOverBaselineMs: { max: 500 },
  liveLagP95Ms: { max: 2000 },
  probesMissing: { equals: 0 },
  ingestFailures: { equals: 0 },
};

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const result = await fn();
  log(`${label} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return result;
}

/** The site, its site systems and components, the default thresholds and the filter rule that writes every message. */
async function seedSite(db: pg.Pool, systems: number, components: number) {
  await db.query(`INSERT INTO site (code, name, time_zone, updated_at) VALUES ('S01', 'Central', $1, now())`, [TZ]);
  await db.query(
    `INSERT INTO site_system (site_id, name, last_reported_at, updated_at)
     SELECT s.id, 'S01-SYS' || lpad(n::text, 3, '0') || '.corp.example.com', now(), now() FROM site s, generate_series(1, $1) n`,
    [systems],
  );
  await db.query(
    `INSERT INTO component (site_system_id, name, state, availability, updated_at)
     SELECT ss.id, 'SMS_COMPONENT_' || lpad(n::text, 2, '0'), 'STARTED', 'ONLINE', now() FROM site_system ss, generate_series(1, $1) n`,
    [components],
  );
  await db.query(`INSERT INTO summarizer_threshold (summarizer, severity, warning_at, critical_at, updated_at)
    VALUES ('COMPONENT', 'INFORMATIONAL', 2000, 5000, now()), ('COMPONENT', 'WARNING', 10, 50, now()), ('COMPONENT', 'ERROR', 1, 5, now()),
           ('COMPONENT', 'WARNING', 100, 500, now())
    ON CONFLICT DO NOTHING`);
  // One message ID override, so the view also reads per-message counts.
  await db.query(`UPDATE summarizer_threshold SET message_id = 4630 WHERE id = (SELECT max(id) FROM summarizer_threshold)`);
  await db.query(
    `INSERT INTO status_filter_rule (name, priority, built_in, write_to_database, retention_days, forward_to_summarizers, updated_at)
     VALUES ('Write all other messages to the database', 1000, true, true, 30, true, now())`,
  );
}

/**
 * `count` messages over the last seven days, in arrival order (id order), as a site's vary:
 * site systems and components weighted so a few are busy and most are quiet; each component
 * reports its own informational IDs (and now and then a start, stop or heartbeat); warnings and
 * errors fall on every system, at a rate set per component (from 1 in 5,000 to 1 in 40 for
 * errors). status_message's indexes are dropped first and built after (far faster than
 * maintaining them row by row).
 */
async function generateMessages(db: pg.Pool, count: number, systems: number, components: number) {
  const { rows: indexes } = await db.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'status_message' AND indexname NOT LIKE '%pkey'`,
  );
  for (const i of indexes) await db.query(`DROP INDEX ${pg.escapeIdentifier(i.name)}`);
  const chunk = 1_000_000;
  for (let from = 0; from < count; from += chunk) {
    const to = Math.min(count, from + chunk);
    await db.query(
      `INSERT INTO status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time, received_at,
                                   process_id, insertion_strings, properties, expires_at)
       SELECT gen_random_uuid(), m.message_id, s.severity::severity, 'MILESTONE', 'SERVER', 'S01',
              'S01-SYS' || lpad(p.sys::text, 3, '0') || '.corp.example.com', 'SMS_COMPONENT_' || lpad(p.comp::text, 2, '0'),
              t.at, t.at, 1000 + p.comp, ARRAY['x'], '{}'::jsonb, t.at + interval '30 days'
         FROM generate_series($1::bigint, $2::bigint) AS n,
              LATERAL (SELECT now() - interval '7 days' + (n::double precision / $5) * interval '7 days' AS at) t,
              -- Skewed picks: the low-numbered systems and components send most of the messages.
              -- (n * 0 makes each LATERAL draw its own random() per row, not once per statement or per cached parameter.)
              LATERAL (SELECT 1 + floor(power(random(), 1.8) * $3 + n * 0)::int AS sys, 1 + floor(power(random(), 1.5) * $4 + n * 0)::int AS comp) p,
              -- Each component's error and warning rates, fixed per component.
              LATERAL (SELECT 1.0 / (40 + (p.comp * 7919 % 4960)) AS error_rate, 1.0 / (10 + (p.comp * 104729 % 490)) AS warning_rate,
                              random() + n * 0 AS r, random() + n * 0 AS r2) q,
              LATERAL (SELECT CASE WHEN q.r < q.error_rate THEN 'ERROR'
                                   WHEN q.r < q.error_rate + q.warning_rate THEN 'WARNING' ELSE 'INFORMATIONAL' END AS severity) s,
              LATERAL (SELECT CASE s.severity
                                WHEN 'ERROR' THEN 4600 + p.comp % 10 * 3 + floor(q.r2 * 3)::int
                                WHEN 'WARNING' THEN 4700 + p.comp % 10 * 5 + floor(q.r2 * 5)::int
                                ELSE CASE WHEN q.r2 < 0.002 THEN ${statusMessageIds.componentStopped}
                                          WHEN q.r2 < 0.004 THEN ${statusMessageIds.componentStarted}
                                          WHEN q.r2 < 0.05 THEN ${statusMessageIds.componentHeartbeat}
                                          ELSE 1000 + p.comp * 20 + floor(q.r2 * 12)::int END
                              END AS message_id) m`,
      [from, to - 1, systems, components, count],
    );
    log(`  ${to.toLocaleString()} messages`);
  }
  for (const i of indexes) await timed(`  index ${i.name}`, () => db.query(i.def));
}

/**
 * The summaries, built by the real Component Status summarizer: the stored rows read back in
 * arrival order and handed over `batchSize` at a time, each batch in its own transaction as
 * Status Manager's are. Resolves to the number of messages handed over.
 */
async function summarizeStored(db: pg.Pool, batchSize: number): Promise<number> {
  const summarize = createStatusSummarizers({ db, log: pino({ level: 'warn' }) });
  const reader = await db.connect();
  const writer = await db.connect();
  let handed = 0;
  let batch: ProcessedMessage[] = [];
  // What the "write all other messages" rule decided for each of them.
  const actions: ProcessedMessage['actions'] = {
    writeToDatabase: true,
    retentionDays: 30,
    reportToEventLog: false,
    replicateToParent: 'NONE',
    forwardToSummarizers: true,
    programs: [],
  };
  const flush = async () => {
    if (!batch.length) return;
    await writer.query('BEGIN');
    await summarize({ client: writer as pg.PoolClient, batchId: randomUUID(), messages: batch });
    await writer.query('COMMIT');
    handed += batch.length;
    batch = [];
  };
  try {
    const stream = reader.query(
      copyTo(`COPY (SELECT uid, message_id, severity, site_code, system_name, component, (extract(epoch FROM received_at) * 1000)::bigint
                      FROM status_message ORDER BY id) TO STDOUT`),
    );
    let rest = '';
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const [uid, messageId, severity, siteCode, systemName, componentName, receivedMs] = line.split('\t');
        batch.push({
          message: {
            uid,
            messageId: Number(messageId),
            severity: severity as Severity,
            type: 'MILESTONE',
            source: 'SERVER',
            siteCode,
            systemName,
            component: componentName,
            sourceTime: '',
            insertionStrings: [],
            properties: {},
          },
          receivedAt: new Date(Number(receivedMs)),
          actions,
        });
        if (batch.length >= batchSize) await flush();
      }
    }
    await flush();
  } finally {
    reader.release();
    writer.release();
  }
  return handed;
}

export default async function summarizerBench(args: string[]) {
  const total = option(args, 'messages', 10_000_000);
  const systems = option(args, 'systems', 100);
  const components = option(args, 'components', 40);
  const seconds = option(args, 'seconds', 60);
  const rate = option(args, 'rate', 1000);
  const keep = args.includes('--keep');

  log('checking the console build (npm start does the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) {
    throw new Error('the console build failed');
  }
  const database = await freshDatabase('sitebox_bench_summarizer');
  const quiet = pino({ level: 'warn' });
  let sitebox: Awaited<ReturnType<typeof startSitebox>> | null = null;
  try {
    process.env.DATABASE_URL = database.url;
    resetConfig();
    await migrate({ connectionString: database.url });
    const db = pool();
    await seedSite(db, systems, components);
    await timed(`generated ${total.toLocaleString()} messages`, () => generateMessages(db, total, systems, components));
    const handed = await timed('summarized them with the Component Status summarizer', () => summarizeStored(db, 20_000));
    const { rows: counted } = await db.query<{ summarized: string; stored: string }>(
      `SELECT (SELECT coalesce(sum(info_count + warning_count + error_count), 0) FROM component_summary)::text AS summarized,
              (SELECT count(*) FROM status_message)::text AS stored`,
    );
    const unsummarized = Number(counted[0].stored) - Number(counted[0].summarized);
    log(`${handed.toLocaleString()} handed over; the day counts hold ${Number(counted[0].summarized).toLocaleString()}`);
    await timed('analyzed', () => db.query('VACUUM ANALYZE'));

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const session = await consoleSession(admin, 'READ_ONLY_ANALYST', 'bench');
    await admin.end();
    const probe = { systemName: system(1), component: component(1) };
    const { credential } = await issueSiteSystemCredential({ siteCode: 'S01', name: probe.systemName });

    log('starting Sitebox (server.ts) with the status-manager worker');
    sitebox = await startSitebox({
      databaseUrl: database.url,
      env: {
        SITEBOX_SEED_DEVICES: '0',
        SITEBOX_WORKERS: 'status-manager',
        SITEBOX_NOTIFICATION_PORT: 'off',
        SITEBOX_STATUS_PURGE_SCHEDULE: '0 0 1 1 *',
      },
    });
    const url = sitebox.url;
    const timedGet = async (path: string) => {
      const t = performance.now();
      const response = await fetch(`${url}${path}`, { headers: { cookie: session.cookie } });
      const body = await response.json();
      const ms = performance.now() - t;
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
      return { ms, body };
    };
    // The view's first window (worst first); the probe component is kept Critical, so it is in it.
    const request = async () => {
      const { ms, body } = await timedGet('/api/component-status?site=S01');
      const view = body as ComponentStatusView;
      const all = view.tallies.OK + view.tallies.WARNING + view.tallies.CRITICAL;
      if (all < systems * components) throw new Error(`component status counted ${all} components`);
      const row = view.components.find((c) => c.systemName === probe.systemName && c.component === probe.component);
      return { ms, probeErrors: row?.counts.error ?? -1 };
    };
    let ingestFailures = 0;
    let throttled = 0;
    const ingest = async (messages: StatusMessage[]) => {
      for (;;) {
        const response = await fetch(`${url}/api/mp/status-messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: credential },
          body: JSON.stringify({ messages }),
        });
        const text = await response.text();
        if (response.status === 503) {
          throttled++;
          await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
          continue;
        }
        // Accepted is 202; a message refused in an accepted batch is a failure too.
        const rejected = response.ok ? ((JSON.parse(text) as { rejected?: unknown[] }).rejected?.length ?? 0) : 0;
        if (!response.ok || rejected) {
          ingestFailures++;
          log(`ingest answered ${response.status}: ${text.slice(0, 300)}`);
        }
        return;
      }
    };
    const probeMessage = (): StatusMessage => ({
      uid: randomUUID(),
      messageId: 4630,
      severity: 'ERROR',
      type: 'MILESTONE',
      source: 'SERVER',
      siteCode: 'S01',
      ...probe,
      sourceTime: new Date(),
      insertionStrings: [],
      properties: {},
    });
    for (let i = 0; i < 5; i++) await Promise.all([request(), timedGet('/api/health')]); // warm-up

    const timings: number[] = [];
    const baseline: number[] = [];
    const lags: number[] = [];
    const probes: { errorsAfter: number; at: number }[] = [];
    // Five errors make the probe component Critical at the default thresholds, so it leads the view.
    await ingest(Array.from({ length: 5 }, () => probeMessage()));
    for (let i = 0; i < 100 && (await request()).probeErrors < 0; i++) await sleep(100);
    let probeBase = (await request()).probeErrors;
    if (probeBase < 0) throw new Error('the probe component did not lead the view');
    let arrived = 0;
    let inFlight: Promise<void> | null = null;
    let again = false;
    // As the console does: a change notification makes the view refetch (one request at a time).
    const refetch = () => {
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = (async () => {
        do {
          again = false;
          const [{ ms, probeErrors }, health] = await Promise.all([request(), timedGet('/api/health')]);
          const done = performance.now();
          timings.push(ms);
          baseline.push(health.ms);
          while (probes.length && probeErrors >= probes[0].errorsAfter) lags.push(done - probes.shift()!.at);
        } while (again);
      })().finally(() => {
        inFlight = null;
      });
    };
    let timer: NodeJS.Timeout | null = null;
    const listener = listen({
      connectionString: database.url,
      channels: [channels.statusSummariesChanged],
      log: quiet,
      onNotification: () => {
        timer ??= setTimeout(() => {
          timer = null;
          refetch();
        }, 150);
      },
    });
    await sleep(500);

    const end = Date.now() + seconds * 1000;
    const tickMs = 100;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const infoIds = (c: number) => 1000 + c * 20;
    let tick = 0;
    while (Date.now() < end) {
      const started = Date.now();
      const messages: StatusMessage[] = [];
      for (let i = 0; i < perTick; i++) {
        const sys = 1 + Math.floor(Math.random() ** 1.8 * systems);
        const comp = 2 + Math.floor(Math.random() ** 1.5 * (components - 1));
        const r = Math.random();
        const severity: Severity = r < 0.002 ? 'ERROR' : r < 0.03 ? 'WARNING' : 'INFORMATIONAL';
        const messageId =
          severity === 'ERROR'
            ? 4600 + (comp % 10) * 3
            : severity === 'WARNING'
              ? 4700 + (comp % 10) * 5
              : infoIds(comp) + Math.floor(Math.random() * 12);
        messages.push({
          uid: randomUUID(),
          messageId,
          severity,
          type: 'MILESTONE',
          source: 'SERVER',
          siteCode: 'S01',
          systemName: system(sys),
          component: component(comp),
          sourceTime: new Date(),
          insertionStrings: [],
          properties: {},
        });
      }
      const isProbe = tick % 5 === 0;
      if (isProbe) messages.push(probeMessage());
      const at = performance.now();
      await ingest(messages);
      if (isProbe) probes.push({ errorsAfter: ++probeBase, at });
      arrived += messages.length;
      tick++;
      await sleep(Math.max(0, tickMs - (Date.now() - started)));
    }
    // Let the last probes show.
    const settle = Date.now() + 5000;
    while (probes.length && Date.now() < settle) await sleep(100);
    await listener.close();
    // Assigned inside the loop's callback, so TypeScript narrows the variable to its initial null here.
    const pending = inFlight as Promise<void> | null;
    if (pending) await pending;
    const probesMissing = probes.length;
    if (probesMissing) log(`${probesMissing} probes never showed within 5 s of the end`);

    const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM status_message`);
    log(
      `${timings.length} component status requests while ${arrived.toLocaleString()} messages arrived (${throttled} answered 503 and were sent again); p50 ${percentile(timings, 50).toFixed(1)} ms, max ${Math.max(...timings).toFixed(1)} ms`,
    );
    log(`live lag over ${lags.length} probes: p50 ${percentile(lags, 50).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms`);
    return reportFigures(
      'summarizer',
      {
        messages: Number(rows[0].n),
        unsummarized,
        componentStatusP95Ms: Math.round(percentile(timings, 95) * 10) / 10,
        httpBaselineP95Ms: Math.round(percentile(baseline, 95) * 10) / 10,
        componentStatusOverBaselineMs: Math.round(percentile(timings, 95) - percentile(baseline, 95)),
        liveLagP95Ms: Math.round(percentile(lags.concat(probes.map(() => Infinity)), 95)),
        probesMissing,
        liveMessages: arrived,
        ingestFailures,
        ingest503: throttled,
      },
      targets,
    );
  } finally {
    if (sitebox) await stopSitebox(sitebox.child);
    await Promise.all([closePool(), closePrisma()]);
    if (keep) log(`kept ${database.url}`);
    else await database.drop();
  }
}
