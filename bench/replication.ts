// `npm run bench -- replication`: a child site with a steady 1,000 Low-priority messages a second
// (and one High-priority message a second) replicating to its parent, two real Sitebox servers on
// databases of their own. The parent is stopped for 60 s mid-run and started again on the same
// port. Figures: the Low rate offered, High and Low lag p95 (arrival at the parent minus creation,
// outside the outage and its drain), the messages queued during the outage, how long the outbox
// took to drain after the parent returned, and lost / duplicated over the whole run. The raw
// substrate beside them: p95 of a bare round trip to the parent (/api/health) in the same run.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { freePort } from '../lib/net/free-port';
import { appendToInbox } from '../lib/reporting/inbox-repo';
import type { StatusMessage } from '../lib/reporting/status-message.schema';
import { freshDatabase, percentile, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { reportFigures } from './support/targets';

const LOW_PER_SECOND = 1000;
const TICK_MS = 100;

function message(severity: StatusMessage['severity'], messageId: number): StatusMessage {
  return {
    uid: randomUUID(),
    messageId,
    severity,
    type: 'MILESTONE',
    source: 'SERVER',
    siteCode: 'C01',
    systemName: 'c01-ss01.example.com',
    component: 'SMS_BENCH',
    sourceTime: new Date(),
    insertionStrings: [],
    properties: {},
  };
}

export default async function replication(args: string[]) {
  const outageSeconds = Number(args[0] ?? 60);
  const common = { SITEBOX_TLS: 'off', SITEBOX_SEED_DEVICES: '0', SITEBOX_WORKERS: 'status-manager', SITEBOX_NOTIFICATION_PORT: '0' };
  const [parentDb, childDb, parentPort] = await Promise.all([freshDatabase('bench_parent'), freshDatabase('bench_child'), freePort()]);
  const parentEnv = { ...common, PORT: String(parentPort), SITEBOX_SITE_CODE: 'P01', SITEBOX_SERVER_NAME: 'p01-ss01.example.com' };
  let parent = await startSitebox({ databaseUrl: parentDb.url, env: parentEnv });
  const issued = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/site-system-credential.ts', 'c01-ss01.example.com'], {
    env: { ...process.env, DATABASE_URL: parentDb.url, SITEBOX_SITE_CODE: 'P01' },
    encoding: 'utf8',
  });
  const credential = /SiteSystem \d+\.\S+/.exec(issued.stdout)?.[0];
  if (!credential) throw new Error(`no credential: ${issued.stderr}`);
  const child = await startSitebox({
    databaseUrl: childDb.url,
    env: {
      ...common,
      SITEBOX_SITE_CODE: 'C01',
      SITEBOX_SERVER_NAME: 'c01-ss01.example.com',
      SITEBOX_PARENT_SITE_URL: `http://127.0.0.1:${parentPort}`,
      SITEBOX_PARENT_SITE_CREDENTIAL: credential,
    },
  });
  const childPool = new pg.Pool({ connectionString: childDb.url, max: 4 });
  const parentPool = new pg.Pool({ connectionString: parentDb.url, max: 2 });
  try {
    await childPool.query(
      `INSERT INTO status_filter_rule (name, priority, built_in, message_id, replicate_to_parent, updated_at)
       VALUES ('Replicate 9001 at Low', 5, false, 9001, 'LOW', now()); NOTIFY sitebox_status_filter_rules_changed`,
    );
    // The raw substrate: a bare round trip to the parent.
    const raw: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await fetch(`http://127.0.0.1:${parentPort}/api/health`).then((r) => r.arrayBuffer());
      raw.push(performance.now() - t);
    }

    const sent: { uid: string; at: number }[] = [];
    let running = true;
    let lowSent = 0;
    const started = Date.now();
    const traffic = (async () => {
      let tick = 0;
      while (running) {
        const due = started + tick * TICK_MS;
        if (due > Date.now()) await sleep(due - Date.now());
        const batch = Array.from({ length: (LOW_PER_SECOND * TICK_MS) / 1000 }, () => message('INFORMATIONAL', 9001));
        if (tick % (1000 / TICK_MS) === 0) batch.push(message('ERROR', 9003));
        await appendToInbox({ db: childPool, messages: batch, origin: 'server' });
        for (const m of batch) sent.push({ uid: m.uid, at: Date.now() });
        lowSent += batch.filter((m) => m.messageId === 9001).length;
        tick += 1;
      }
    })();

    await sleep(20_000);
    const outageStart = Date.now();
    await stopSitebox(parent.child);
    await sleep(outageSeconds * 1000);
    const outageMessages = sent.filter((s) => s.at >= outageStart).length;
    const queuedBefore = new Set(sent.map((s) => s.uid));
    parent = await startSitebox({ databaseUrl: parentDb.url, env: parentEnv });
    const back = Date.now();
    // Drained: everything queued before the parent came back has arrived.
    const waiting = [...queuedBefore];
    for (;;) {
      const { rows } = await parentPool.query<{ n: string }>(`SELECT count(*) n FROM status_message WHERE uid = ANY($1::uuid[])`, [waiting]);
      if (Number(rows[0].n) >= waiting.length || Date.now() - back > 120_000) break;
      await sleep(250);
    }
    const drainAfterOutageMs = Date.now() - back;
    const drainEnd = Date.now();
    await sleep(10_000);
    running = false;
    await traffic;
    const elapsed = (Date.now() - started) / 1000;
    // Everything sent arrives, or the wait gives up.
    const all = sent.map((s) => s.uid);
    for (let until = Date.now() + 60_000; Date.now() < until; await sleep(500)) {
      const { rows } = await parentPool.query<{ n: string }>(`SELECT count(DISTINCT uid) n FROM status_message WHERE uid = ANY($1::uuid[])`, [all]);
      if (Number(rows[0].n) >= all.length) break;
    }
    const { rows: arrived } = await parentPool.query<{ n: string; d: string }>(
      `SELECT count(*) n, count(DISTINCT uid) d FROM status_message WHERE site_code = 'C01'`,
    );
    // Lag outside the outage and its drain: the parent's storing time minus the message's creation.
    const lag = async (messageId: number) => {
      const { rows } = await parentPool.query<{ ms: number }>(
        `SELECT (extract(epoch FROM received_at - source_time) * 1000)::float8 AS ms FROM status_message
          WHERE site_code = 'C01' AND message_id = $1 AND NOT (source_time >= $2 AND source_time < $3)`,
        [messageId, new Date(outageStart), new Date(drainEnd)],
      );
      return Math.round(
        percentile(
          rows.map((r) => r.ms),
          95,
        ),
      );
    };
    const figures = {
      lowPerSecond: Math.round(lowSent / elapsed),
      highLagP95Ms: await lag(9003),
      lowLagP95Ms: await lag(9001),
      outageMessages,
      drainAfterOutageMs,
      lost: all.length - Number(arrived[0].d),
      duplicated: Number(arrived[0].n) - Number(arrived[0].d),
      rawRoundTripP95Ms: Math.round(percentile(raw, 95) * 10) / 10,
    };
    return reportFigures('replication', figures, {
      lowPerSecond: { min: 900 },
      highLagP95Ms: { max: 2000 },
      drainAfterOutageMs: { max: 30_000 },
      lost: { equals: 0 },
      duplicated: { equals: 0 },
    });
  } finally {
    await Promise.all([stopSitebox(child.child), stopSitebox(parent.child)]);
    await Promise.all([childPool.end(), parentPool.end()]);
    await Promise.all([childDb.drop(), parentDb.drop()]);
  }
}
