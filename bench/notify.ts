// notify: 10,000 simulated agents (in --processes other processes, 2 by default, so neither the
// baseline nor the push is read by one client event loop) connected to one management point
// process (server.ts); Download Computer Policy on a collection of all of them. First, to the same
// connected agents, bare socket.io broadcasts with no database work (the channel probe) give the
// baseline. Prints one JSON line:
// {"scenario":"notify","agents":N,"processes":P,"connected":N,"baselineP99Ms":Z,"deliveredP50Ms":A,"deliveredP99Ms":B,
//  "deliveredOverBaselineMs":B-Z,"ratio":B/Z,"allResultsMs":C,"serverRssMb":D,"succeeded":S,"failed":F,"missing":N,
//  "targets":{...},"missed":[...]}
//   delivered: from the start request to each agent's receipt of the push.
//   allResults: from the start request until every target has a result (null if not within 60 s).
//   succeeded / failed: targets whose stored result is a success / a failure.
//   missing: targets without a successful result 60 s after the start (total - succeeded).
//   npm run bench -- notify [--agents 10000] [--processes 2] [--spread-ms 15000] [--probes 3]
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { provisionSimulatedFleet } from './support/provision-simulated-fleet';
import type { AgentCredential } from '../lib/protocol/policy.schema';
import { consoleSession, freshDatabase, percentile, rssMb, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { forkAgentProcesses } from './support/notify-agent-processes';
import { reportFigures, type Target } from './support/targets';

/** What the figures are held to; the push is held against the bare broadcast measured in the same run. */
const targets: Record<string, Target> = {
  notConnected: { equals: 0 },
  missing: { equals: 0 },
  failed: { equals: 0 },
  ratio: { max: 1.5 },
  deliveredOverBaselineMs: { max: 500 },
  allResultsMs: { max: 5000 },
  serverRssMb: { max: 1024 },
};

const log = (message: string) => process.stderr.write(`[notify] ${message}\n`);

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

export default async function notify(args: string[]) {
  const agents = option(args, 'agents', 10_000);
  const spreadMs = option(args, 'spread-ms', 15_000);
  const probeCount = option(args, 'probes', 3);
  const processCount = Math.max(1, option(args, 'processes', 2));

  log('checking the console build (npm start does the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');

  const database = await freshDatabase('sitebox_bench_notify');
  const { migrate } = await import('../lib/db/migrator');
  await migrate({ connectionString: database.url });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let sitebox: Awaited<ReturnType<typeof startSitebox>> | null = null;
  const { processes: agentProcesses, fromAgents } = forkAgentProcesses(processCount);
  try {
    log(`provisioning ${agents} devices and a collection of them`);
    const fleet = await provisionSimulatedFleet({ db, siteCode: 'S01', prefix: 'BENCH-', count: agents, collectionName: 'Notify benchmark' });
    const session = await consoleSession(db, 'OPERATIONS_ADMINISTRATOR', 'bench-operator');

    log('starting the management point (server.ts)');
    sitebox = await startSitebox({
      databaseUrl: database.url,
      // Agents use the console port here; no workers, so only the management point's own work is measured.
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

    // Warm-up, untimed and right away: the routes' first requests load their code (an empty start is
    // refused with 400; a probe with no agents connected reaches nobody).
    await fetch(`${sitebox.url}/api/client-operations/estimate?collectionId=${fleet.collectionId}`, { headers: { cookie: session.cookie } }).then(
      (r) => r.text(),
    );
    await post('/api/client-operations', {}).catch(() => undefined);
    await fetch(`${sitebox.url}/api/mp/policy`, {
      headers: { authorization: `Device ${fleet.credentials[0].deviceId}.${fleet.credentials[0].secret}` },
    }).then((r) => r.text());

    await post('/api/client-operations/probe');
    log(`connecting ${agents} agents from ${processCount} processes over ${spreadMs} ms`);
    const connectedAnswer = fromAgents('connected');
    const credentials: AgentCredential[] = fleet.credentials;
    const share = Math.ceil(credentials.length / processCount);
    agentProcesses.forEach((child, i) =>
      child.send({ type: 'start', urls: [sitebox!.url], credentials: credentials.slice(i * share, (i + 1) * share), spreadMs }),
    );
    const connected = (await connectedAnswer).reduce((sum, answer) => sum + answer.connected, 0);
    log(`${connected} agents connected; letting presence settle`);
    await sleep(3000);
    const { rows: online } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM device WHERE online`);
    log(`${online[0].n} devices online in the database`);

    for (let i = 0; i < probeCount; i++) {
      const probe = await post('/api/client-operations/probe');
      log(`probe ${i + 1}: broadcast to ${probe.agents} agents`);
      await sleep(2500);
    }

    log('starting Download Computer Policy on the collection');
    const startedAt = Date.now();
    const operation = await post('/api/client-operations', { action: 'DOWNLOAD_COMPUTER_POLICY', target: { collectionId: fleet.collectionId } });
    let allResultsMs: number | null = null;
    let results = 0;
    const deadline = startedAt + 60_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 AND state IN ('SUCCEEDED', 'FAILED')`,
        [operation.id],
      );
      results = rows[0].n;
      if (results >= operation.total) {
        allResultsMs = Date.now() - startedAt;
        break;
      }
      await sleep(25);
    }
    clearInterval(sampler);
    log(`${results} of ${operation.total} results stored${allResultsMs !== null ? ` after ${allResultsMs} ms` : ' (gave up after 60 s)'}`);

    const collectedAnswer = fromAgents('collected');
    for (const child of agentProcesses) child.send({ type: 'collect' });
    const collected = await collectedAnswer;
    // The same probe reached agents in every process: its receipts are one distribution.
    const baseline = collected.flatMap((c) => c.probes.flatMap((p) => p.receivedAt.map((t) => t - p.sentAt)));
    const delivered = collected.flatMap((c) => c.pushes.map((t) => t - startedAt));
    log(`first push received ${Math.min(...delivered)} ms after the start request, last ${Math.max(...delivered)} ms`);
    const baselineP99Ms = Math.round(percentile(baseline, 99));
    const deliveredP99Ms = Math.round(percentile(delivered, 99));
    const { rows: states } = await db.query<{ succeeded: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE state = 'SUCCEEDED')::int AS succeeded, count(*) FILTER (WHERE state = 'FAILED')::int AS failed
         FROM client_operation_target WHERE operation_id = $1`,
      [operation.id],
    );
    const { succeeded, failed } = states[0];
    if (failed) log(`${failed} agents reported a failure`);
    const { rows: timing } = await db.query(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY (result->>'durationMs')::int) AS fetch_p50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY (result->>'durationMs')::int) AS fetch_p99,
              extract(epoch FROM max(completed_at) - $2::timestamptz) * 1000 AS last_completed_ms
         FROM client_operation_target WHERE operation_id = $1`,
      [operation.id, new Date(startedAt)],
    );
    log(
      `policy fetch p50 ${timing[0].fetch_p50} ms, p99 ${timing[0].fetch_p99} ms; last action completed ${Math.round(timing[0].last_completed_ms)} ms after the start`,
    );
    const figures = {
      agents,
      processes: processCount,
      connected,
      notConnected: agents - connected,
      baselineP99Ms,
      deliveredP50Ms: Math.round(percentile(delivered, 50)),
      deliveredP99Ms,
      deliveredOverBaselineMs: deliveredP99Ms - baselineP99Ms,
      ratio: baselineP99Ms ? Math.round((deliveredP99Ms / baselineP99Ms) * 100) / 100 : null,
      allResultsMs,
      serverRssMb: Math.round(peakRss),
      succeeded,
      failed,
      missing: operation.total - succeeded,
    };
    const stopped = agentProcesses.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of agentProcesses) child.send({ type: 'stop' });
    await Promise.all(stopped);
    return reportFigures('notify', figures, targets);
  } finally {
    for (const child of agentProcesses) if (child.exitCode === null) child.kill('SIGKILL');
    if (sitebox) await stopSitebox(sitebox.child);
    await db.end();
    await database.drop();
  }
}
