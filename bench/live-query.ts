// live-query: 10,000 simulated agents (in --processes other processes, 2 by default) connected to one
// management point process (server.ts); one live query — a summarize over installed packages — to a
// collection of all of them, started through the console API. First, to the same connected agents,
// bare socket.io broadcasts with no database work (the channel probe) give the baseline the
// answers are read against. Prints one JSON line:
// {"scenario":"live-query","agents":N,"answered":A,"firstRowMs":F,"p99AnsweredMs":P,"allAnsweredMs":L,"rowsStored":R,"lost":X,
//  "rowsExpected":E,"baselineP99Ms":B,"p99OverBaselineMs":P-B,"processes":K,"serverRssMb":M,"targets":{...},"missed":[...]}
//   answered: targets with a stored result (SUCCEEDED or FAILED) within 60 s; failed: FAILED among them.
//   firstRowMs / p99AnsweredMs / allAnsweredMs: from the start request until the first row is in the
//     database / 99 % of agents' answers are / all are (null if not within 60 s).
//   rowsExpected: the rows every agent's (deterministic, synthetic) packages give the query, computed
//     here with the same evaluator; rowsStored: counted in live_query_row; lost: expected - stored.
//   npm run bench -- live-query [--agents 10000] [--processes 2] [--spread-ms 15000]
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { syntheticEntities } from '../lib/agent/live-query/synthetic-entities';
import { evaluateLiveQuery } from '../lib/live-query/evaluate-query';
import { readLiveQuery } from '../lib/live-query/validate-query';
import type { AgentCredential } from '../lib/protocol/policy.schema';
import { forkAgentProcesses } from './support/notify-agent-processes';
import { provisionSimulatedFleet } from './support/provision-simulated-fleet';
import { consoleSession, freshDatabase, percentile, rssMb, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

const QUERY = 'packages | summarize count() by name, version';

const targets: Record<string, Target> = {
  notConnected: { equals: 0 },
  failed: { equals: 0 },
  lost: { equals: 0 },
  firstRowMs: { max: 1000 },
  p99AnsweredMs: { max: 5000 },
  allAnsweredMs: { max: 10_000 },
};

const log = (message: string) => process.stderr.write(`[live-query] ${message}\n`);

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

/** The rows every agent answers, from the simulator's synthetic packages and the real evaluator. */
async function expectedRows(credentials: AgentCredential[]): Promise<number> {
  const { query } = readLiveQuery(QUERY);
  let rows = 0;
  for (const c of credentials) rows += evaluateLiveQuery(query!, await syntheticEntities(c.name)('packages', null)).length;
  return rows;
}

export default async function liveQuery(args: string[]) {
  const agents = option(args, 'agents', 10_000);
  const spreadMs = option(args, 'spread-ms', 15_000);
  const processCount = Math.max(2, option(args, 'processes', 2));

  log('checking the console build (npm start does the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');

  const database = await freshDatabase('sitebox_bench_live_query');
  const { migrate } = await import('../lib/db/migrator');
  await migrate({ connectionString: database.url });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let sitebox: Awaited<ReturnType<typeof startSitebox>> | null = null;
  const { processes: agentProcesses, fromAgents } = forkAgentProcesses(processCount);
  try {
    log(`provisioning ${agents} devices and a collection of them`);
    const fleet = await provisionSimulatedFleet({ db, siteCode: 'S01', prefix: 'LQ-', count: agents, collectionName: 'Live query benchmark' });
    const rowsExpected = await expectedRows(fleet.credentials);
    const session = await consoleSession(db, 'OPERATIONS_ADMINISTRATOR', 'bench-operator');

    log('starting the management point (server.ts)');
    sitebox = await startSitebox({
      databaseUrl: database.url,
      env: { SITEBOX_SEED_DEVICES: '0', SITEBOX_WORKERS: '', SITEBOX_NOTIFICATION_PORT: 'off' },
    });
    const serverPid = sitebox.child.pid!;
    let peakRss = rssMb(serverPid);
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(serverPid))), 200);
    const post = (p: string, body?: unknown) =>
      fetch(`${sitebox!.url}${p}`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => {
        const text = await r.text();
        if (r.status !== 200) throw new Error(`POST ${p} answered ${r.status}: ${text}`);
        return JSON.parse(text);
      });

    // Warm-up, untimed: the routes' first requests load their code (an empty start is refused with 400).
    await post('/api/client-operations', {}).catch(() => undefined);
    await post('/api/live-queries/validate', { query: QUERY });
    await post('/api/client-operations/probe');

    log(`connecting ${agents} agents from ${processCount} processes over ${spreadMs} ms`);
    const connectedAnswer = fromAgents('connected');
    const share = Math.ceil(fleet.credentials.length / processCount);
    agentProcesses.forEach((child, i) =>
      child.send({ type: 'start', urls: [sitebox!.url], credentials: fleet.credentials.slice(i * share, (i + 1) * share), spreadMs }),
    );
    const connected = (await connectedAnswer).reduce((sum, answer) => sum + answer.connected, 0);
    log(`${connected} agents connected; letting presence settle`);
    await sleep(3000);
    for (let i = 0; i < 3; i++) {
      await post('/api/client-operations/probe');
      await sleep(2500);
    }

    log(`starting the live query "${QUERY}" on the collection`);
    const startedAt = Date.now();
    const operation = await post('/api/client-operations', {
      action: 'LIVE_QUERY',
      target: { collectionId: fleet.collectionId },
      liveQuery: { query: QUERY },
    });
    let firstRowMs: number | null = null;
    let p99AnsweredMs: number | null = null;
    let allAnsweredMs: number | null = null;
    let answered = 0;
    const deadline = startedAt + 60_000;
    while (Date.now() < deadline && allAnsweredMs === null) {
      if (firstRowMs === null) {
        const { rows } = await db.query(`SELECT 1 FROM live_query_row WHERE operation_id = $1 LIMIT 1`, [operation.id]);
        if (rows.length) firstRowMs = Date.now() - startedAt;
      }
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 AND state IN ('SUCCEEDED', 'FAILED')`,
        [operation.id],
      );
      answered = rows[0].n;
      if (p99AnsweredMs === null && answered >= Math.ceil(operation.total * 0.99)) p99AnsweredMs = Date.now() - startedAt;
      if (answered >= operation.total) allAnsweredMs = Date.now() - startedAt;
      else await sleep(20);
    }
    clearInterval(sampler);
    log(`${answered} of ${operation.total} answered${allAnsweredMs !== null ? ` after ${allAnsweredMs} ms` : ' (gave up after 60 s)'}`);

    const collectedAnswer = fromAgents('collected');
    for (const child of agentProcesses) child.send({ type: 'collect' });
    const collected = await collectedAnswer;
    const baseline = collected.flatMap((c) => c.probes.flatMap((p) => p.receivedAt.map((t) => t - p.sentAt)));
    const baselineP99Ms = Math.round(percentile(baseline, 99));
    const received = collected.flatMap((c) => c.pushes.map((t) => t - startedAt));
    log(`push received p1/p50/p99 ${[1, 50, 99].map((p) => Math.round(percentile(received, p))).join('/')} ms after the start request`);

    // Where the time went: when agents received the push and finished (their clocks are this
    // machine's), against when their answers were stored.
    const { rows: timing } = await db.query(
      `SELECT percentile_disc(ARRAY[0.01, 0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM delivered_at - $2::timestamptz) * 1000) AS delivered,
              percentile_disc(ARRAY[0.01, 0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - $2::timestamptz) * 1000) AS completed
         FROM client_operation_target WHERE operation_id = $1`,
      [operation.id, new Date(startedAt)],
    );
    log(
      `delivered p1/p50/p99 ${timing[0].delivered.map(Math.round).join('/')} ms; answered on the agents ${timing[0].completed.map(Math.round).join('/')} ms`,
    );
    const { rows: stored } = await db.query<{ rows: number; failed: number }>(
      `SELECT (SELECT count(*)::int FROM live_query_row WHERE operation_id = $1) AS rows,
              (SELECT count(*)::int FROM client_operation_target WHERE operation_id = $1 AND state = 'FAILED') AS failed`,
      [operation.id],
    );
    const figures = {
      agents,
      answered,
      firstRowMs,
      p99AnsweredMs,
      allAnsweredMs,
      rowsStored: stored[0].rows,
      lost: rowsExpected - stored[0].rows,
      rowsExpected,
      failed: stored[0].failed,
      baselineP99Ms,
      p99OverBaselineMs: p99AnsweredMs === null ? null : p99AnsweredMs - baselineP99Ms,
      processes: processCount,
      connected,
      notConnected: agents - connected,
      serverRssMb: Math.round(peakRss),
    };
    const stopped = agentProcesses.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of agentProcesses) child.send({ type: 'stop' });
    await Promise.all(stopped);
    return reportFigures('live-query', figures, targets);
  } finally {
    for (const child of agentProcesses) if (child.exitCode === null) child.kill('SIGKILL');
    if (sitebox) await stopSitebox(sitebox.child);
    await db.end();
    await database.drop();
  }
}
