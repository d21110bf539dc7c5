// summarizer: the Component Status view's data request over 10,000,000 stored messages while
// messages keep arriving, and how soon a processed message shows in it.
//
//   DATABASE_URL=postgres://... npm run bench -- summarizer [--messages 10000000] [--systems 100]
//     [--components 40] [--seconds 60] [--rate 1000] [--keep (the database, for a look afterwards)]
//
// On a fresh database: a site with `systems` site systems of `components` components each;
// `messages` stored messages generated in SQL over the last seven days (indexes built after),
// and the summaries built from them as Status Manager would have kept them. Then the
// status-manager worker (with the summarizers) runs as its own process, as `npm start` runs it,
// while a feeder appends `rate` messages a second to
// its inbox, each half second carrying a probe error for one component. Every summary change
// Status Manager notifies is followed, as the console does, by GET /api/component-status (the
// real route handler); componentStatusP95Ms times those requests, liveLagP95Ms the time from
// appending a probe to the first answer that counts it.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { NextRequest } from 'next/server';
import { GET as componentStatus } from '../app/api/component-status/route';
import { resetConfig } from '../lib/config';
import { listen } from '../lib/db/listen';
import { migrate } from '../lib/db/migrator';
import { closePool, pool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { appendToInbox } from '../lib/status/inbox-repo';
import type { StatusMessage } from '../lib/status/status-message.schema';
import type { ComponentStatusView } from '../lib/summarizers/read-component-status';
import { STATUS_SUMMARIES_CHANGED_CHANNEL } from '../lib/summarizers/summary-writes';
import { consoleSession, freshDatabase, percentile, sleep } from './support/sitebox-server';

/** The status-manager worker in its own process, as `npm start` supervises it. */
function startStatusManagerWorker(databaseUrl: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', 'status-manager'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', SITEBOX_STATUS_PURGE_SCHEDULE: '0 0 1 1 *' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return {
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const log = (message: string) => process.stderr.write(`[summarizer] ${message}\n`);
const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const TZ = 'America/New_York';
const system = (n: number) => `S01-SYS${String(n).padStart(3, '0')}.corp.example.com`;
const component = (n: number) => `SMS_COMPONENT_${String(n).padStart(2, '0')}`;

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const result = await fn();
  log(`${label} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return result;
}

/** The site, its site systems and components, and the default thresholds. */
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
}

/**
 * `count` messages spread over the last seven days across every component: status_message's
 * indexes are dropped first and built after (far faster than maintaining them row by row).
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
       SELECT gen_random_uuid(), m.message_id, m.severity::severity, 'MILESTONE', 'SERVER', 'S01',
              'S01-SYS' || lpad((1 + n % $3)::text, 3, '0') || '.corp.example.com',
              'SMS_COMPONENT_' || lpad((1 + (n / $3) % $4)::text, 2, '0'),
              t.at, t.at, 1000, ARRAY['x'], '{}'::jsonb, t.at + interval '30 days'
         FROM generate_series($1::bigint, $2::bigint) AS n,
              LATERAL (SELECT now() - interval '7 days' + (n::double precision / $5) * interval '7 days' AS at) t,
              LATERAL (SELECT CASE WHEN n % 1000 = 0 THEN 'ERROR' WHEN n % 50 = 0 THEN 'WARNING' ELSE 'INFORMATIONAL' END AS severity,
                              CASE WHEN n % 1000 = 0 THEN 4630 WHEN n % 50 = 0 THEN 4630 + (n % 3)::int ELSE 500 + (n % 4)::int END AS message_id) m`,
      [from, to - 1, systems, components, count],
    );
    log(`  ${to.toLocaleString()} messages`);
  }
  for (const i of indexes) await timed(`  index ${i.name}`, () => db.query(i.def));
}

/** The summaries Status Manager would have kept for those messages, built from them in SQL. */
async function buildSummaries(db: pg.Pool) {
  const comp = `component c JOIN site_system ss ON ss.id = c.site_system_id JOIN site s ON s.id = ss.site_id`;
  await db.query(
    `INSERT INTO component_summary (component_id, interval_start, info_count, warning_count, error_count, last_message_at)
     SELECT c.id, date_trunc('day', m.received_at AT TIME ZONE s.time_zone) AT TIME ZONE s.time_zone,
            count(*) FILTER (WHERE m.severity = 'INFORMATIONAL'), count(*) FILTER (WHERE m.severity = 'WARNING'),
            count(*) FILTER (WHERE m.severity = 'ERROR'), max(m.received_at)
       FROM status_message m JOIN ${comp} ON s.code = m.site_code AND ss.name = m.system_name AND c.name = m.component
      GROUP BY 1, 2`,
  );
  await db.query(
    `INSERT INTO component_message_count (component_id, hour_start, message_id, severity, count)
     SELECT c.id, date_trunc('hour', m.received_at AT TIME ZONE s.time_zone) AT TIME ZONE s.time_zone, m.message_id, m.severity, count(*)
       FROM status_message m JOIN ${comp} ON s.code = m.site_code AND ss.name = m.system_name AND c.name = m.component
      GROUP BY 1, 2, 3, 4`,
  );
  await db.query(
    `INSERT INTO status_rate_minute (site_code, minute_start, severity, count)
     SELECT site_code, date_trunc('minute', received_at), severity, count(*) FROM status_message
      WHERE received_at > now() - interval '2 days' GROUP BY 1, 2, 3`,
  );
}

export default async function summarizerBench(args: string[]) {
  const total = option(args, 'messages', 10_000_000);
  const systems = option(args, 'systems', 100);
  const components = option(args, 'components', 40);
  const seconds = option(args, 'seconds', 60);
  const rate = option(args, 'rate', 1000);
  const keep = args.includes('--keep');
  const database = await freshDatabase('sitebox_bench_summarizer');
  const quiet = pino({ level: 'warn' });
  let manager: ReturnType<typeof startStatusManagerWorker> | null = null;
  try {
    process.env.DATABASE_URL = database.url;
    resetConfig();
    await migrate({ connectionString: database.url });
    const db = pool();
    await seedSite(db, systems, components);
    await timed(`generated ${total.toLocaleString()} messages`, () => generateMessages(db, total, systems, components));
    await timed('built the summaries', () => buildSummaries(db));
    await timed('analyzed', () => db.query('VACUUM ANALYZE'));

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const session = await consoleSession(admin, 'READ_ONLY_ANALYST', 'bench');
    await admin.end();
    const headers = { cookie: session.cookie };
    const probe = { systemName: system(1), component: component(1) };
    const probeMessage = (): StatusMessage => ({
      uid: randomUUID(), messageId: 4630, severity: 'ERROR', type: 'MILESTONE', source: 'SERVER', siteCode: 'S01', ...probe,
      sourceTime: new Date(), insertionStrings: [], properties: {},
    });
    // The view's first window (worst first); the probe component is kept Critical, so it is in it.
    const request = async (query = 'site=S01') => {
      const t = performance.now();
      const response = await componentStatus(new NextRequest(`http://localhost/api/component-status?${query}`, { headers }));
      const body = (await response.json()) as ComponentStatusView;
      const ms = performance.now() - t;
      if (response.status !== 200) throw new Error(`component status: ${response.status} ${JSON.stringify(body)}`);
      const all = body.tallies.OK + body.tallies.WARNING + body.tallies.CRITICAL;
      if (all < systems * components) throw new Error(`component status counted ${all} components`);
      const row = body.components.find((c) => c.systemName === probe.systemName && c.component === probe.component);
      return { ms, probeErrors: row?.counts.error ?? -1 };
    };
    for (let i = 0; i < 5; i++) await request(); // warm-up

    manager = startStatusManagerWorker(database.url);
    // Running once its first heartbeat is in.
    for (let i = 0; i < 300 && !(await db.query(`SELECT 1 FROM worker_heartbeat WHERE name = 'status-manager'`)).rowCount; i++) await sleep(100);

    const timings: number[] = [];
    const lags: number[] = [];
    const probes: { errorsAfter: number; at: number }[] = [];
    // Five errors make the probe component Critical at the default thresholds, so it leads the view.
    await appendToInbox({ db, origin: 'mp', messages: Array.from({ length: 5 }, () => probeMessage()) });
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
          const { ms, probeErrors } = await request();
          const done = performance.now();
          timings.push(ms);
          while (probes.length && probeErrors >= probes[0].errorsAfter) lags.push(done - probes.shift()!.at);
        } while (again);
      })().finally(() => {
        inFlight = null;
      });
    };
    let timer: NodeJS.Timeout | null = null;
    const listener = listen({
      connectionString: database.url,
      channels: [STATUS_SUMMARIES_CHANGED_CHANNEL],
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
    let tick = 0;
    while (Date.now() < end) {
      const started = Date.now();
      const messages: StatusMessage[] = [];
      for (let i = 0; i < perTick; i++) {
        const n = Math.floor(Math.random() * systems * components);
        const severity = Math.random() < 0.02 ? 'WARNING' : 'INFORMATIONAL';
        messages.push({
          uid: randomUUID(), messageId: severity === 'WARNING' ? 4631 : 503, severity, type: 'MILESTONE', source: 'SERVER', siteCode: 'S01',
          systemName: system(1 + (n % systems)), component: component(2 + (Math.floor(n / systems) % (components - 1))),
          sourceTime: new Date(), insertionStrings: [], properties: {},
        });
      }
      const isProbe = tick % 5 === 0;
      if (isProbe) messages.push(probeMessage());
      const at = performance.now();
      await appendToInbox({ db, messages, origin: 'mp' });
      if (isProbe) probes.push({ errorsAfter: ++probeBase, at });
      arrived += messages.length;
      tick++;
      await sleep(Math.max(0, tickMs - (Date.now() - started)));
    }
    // Let the last probes show.
    const settle = Date.now() + 5000;
    while (probes.length && Date.now() < settle) await sleep(100);
    await manager.stop();
    await listener.close();
    // Assigned inside the loop's callback, so TypeScript narrows the variable to its initial null here.
    const pending = inFlight as Promise<void> | null;
    if (pending) await pending;
    if (probes.length) log(`${probes.length} probes never showed within 5 s of the end`);

    const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM status_message`);
    log(`${timings.length} component status requests while ${arrived.toLocaleString()} messages arrived; p50 ${percentile(timings, 50).toFixed(1)} ms, max ${Math.max(...timings).toFixed(1)} ms`);
    log(`live lag over ${lags.length} probes: p50 ${percentile(lags, 50).toFixed(0)} ms, max ${Math.max(...lags).toFixed(0)} ms`);
    console.log(
      JSON.stringify({
        scenario: 'summarizer',
        messages: Number(rows[0].n),
        componentStatusP95Ms: Math.round(percentile(timings, 95) * 10) / 10,
        liveLagP95Ms: Math.round(percentile(lags.concat(probes.map(() => Infinity)), 95)),
      }),
    );
  } finally {
    await manager?.stop();
    await Promise.all([closePool(), closePrisma()]);
    if (keep) log(`kept ${database.url}`);
    else await database.drop();
  }
}
