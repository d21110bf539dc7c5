// site-25k: a site of 25,000 simulated agents (in --processes agent processes, 4 by default: each
// holds its share of sockets under the per-process file limit) over two management point processes
// started as `npm run mp` starts one (dist/server/mp.mjs), beside a console (the compiled server.ts,
// no workers, no agents of its own). In each agent process, every other agent prefers one
// management point and the rest the other. First, bare socket.io broadcasts from the two
// management point processes themselves (a site-wide channel probe: each broadcasts as it hears
// it, with no database work) give the baseline; then Download Computer Policy on a collection of
// all of them, started from the console's API, while a console user reads pages. The agent
// processes act on the push once all of them have read it (gatePushWork): real agents read it on
// machines of their own. Prints one JSON line:
// {"scenario":"site-25k","agents":N,"connected":C,"deliveredP99Ms":B,"baselineP99Ms":Z,"ratio":B/Z,"allResultsMs":R,
//  "failed":F,"missing":M,"mpRssMb":[…],"consoleP95Ms":P,…,"targets":{…},"missed":[…]}
//   delivered: from the start request to each agent's receipt of the push.
//   allResults: from the start request until every target has a result (null if not within 60 s).
//   missing: targets without a successful result 60 s after the start; failed: failures stored.
//   mpRssMb: each management point's peak resident memory while the agents were connected.
//   consoleP95Ms: GETs of the Client Operations list and of the operation, as an operations
//     administrator, every 200 ms from the start until all results (or 60 s).
//   cpuSeconds: CPU time (Linux /proc) from the start until all results, of the agent processes,
//     the management points, the console and every postgres process on the host.
//
//   npm run bench -- site-25k [--agents 25000] [--processes 4] [--spread-ms 30000] [--probes 3]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { freePort } from '../lib/net/free-port';
import type { AgentCredential } from '../lib/protocol/policy.schema';
import { buildServer } from '../scripts/build-server.mjs';
import { provisionSimulatedFleet } from './support/provision-simulated-fleet';
import { consoleSession, freshDatabase, percentile, rssMb, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { forkAgentProcesses, gatePushWork } from './support/notify-agent-processes';
import { cpuMeter, isPostgres, processTree } from './support/process-table';
import { reportFigures, type Target } from './support/targets';

/** Issue 18's targets; the push is held against the bare broadcasts measured in the same run. */
const targets: Record<string, Target> = {
  notConnected: { equals: 0 },
  missing: { equals: 0 },
  failed: { equals: 0 },
  ratio: { max: 1.5 },
  allResultsMs: { max: 15_000 },
  maxMpRssMb: { max: 1024 },
  consoleP95Ms: { max: 250 },
};

const log = (message: string) => process.stderr.write(`[site-25k] ${message}\n`);

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

/** One management point as `npm run mp` runs it, on free ports; resolves with its URL once it is ready. */
async function startManagementPoint(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  // BENCH_CPU_PROF_DIR: each management point writes a V8 CPU profile there when it stops, as the console does.
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, 'dist/server/mp.mjs'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      SITEBOX_NOTIFICATION_PORT: 'off',
      SITEBOX_TLS: 'off',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Sitebox management point:')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`management point exited (${code}): ${out}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export default async function site25k(args: string[]) {
  const agents = option(args, 'agents', 25_000);
  const spreadMs = option(args, 'spread-ms', 30_000);
  const probeCount = option(args, 'probes', 3);
  const processCount = Math.max(3, option(args, 'processes', 4));

  log('checking the console build and compiling the server (npm start and npm run mp do the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');
  await buildServer();

  const database = await freshDatabase('sitebox_bench_site25k');
  const { migrate } = await import('../lib/db/migrator');
  await migrate({ connectionString: database.url });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let consoleServer: Awaited<ReturnType<typeof startSitebox>> | null = null;
  const managementPoints: { child: ChildProcess; url: string }[] = [];
  const { processes: agentProcesses, fromAgents } = forkAgentProcesses(processCount);
  gatePushWork(agentProcesses);
  try {
    log(`provisioning ${agents} devices and a collection of them`);
    const fleet = await provisionSimulatedFleet({ db, siteCode: 'S01', prefix: 'SITE-', count: agents, collectionName: 'Site benchmark' });
    const session = await consoleSession(db, 'OPERATIONS_ADMINISTRATOR', 'bench-operator');
    // A running site's tables have statistics (autovacuum keeps them); a fleet loaded a moment ago
    // has none, and the start's insert would then plan 25,000 index lookups instead of a hash join.
    await db.query('ANALYZE device, collection_member');

    log('starting the console (no workers) and two management points');
    consoleServer = await startSitebox({
      databaseUrl: database.url,
      env: { SITEBOX_SEED_DEVICES: '0', SITEBOX_WORKERS: '', SITEBOX_NOTIFICATION_PORT: 'off' },
    });
    managementPoints.push(...(await Promise.all([startManagementPoint(database.url), startManagementPoint(database.url)])));
    const peakRss = managementPoints.map((mp) => rssMb(mp.child.pid!));
    const sampler = setInterval(() => managementPoints.forEach((mp, i) => (peakRss[i] = Math.max(peakRss[i], rssMb(mp.child.pid!)))), 200);
    const consoleUrl = consoleServer.url;
    const post = (p: string, body?: unknown) =>
      fetch(`${consoleUrl}${p}`, {
        method: 'POST',
        headers: { cookie: session.cookie, 'x-csrf-token': session.csrf, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      }).then(async (r) => {
        const text = await r.text();
        if (r.status !== 200) throw new Error(`POST ${p} answered ${r.status}: ${text}`);
        return JSON.parse(text);
      });
    const get = async (p: string) => {
      const started = performance.now();
      const response = await fetch(`${consoleUrl}${p}`, { headers: { cookie: session.cookie } });
      await response.text();
      if (response.status !== 200) throw new Error(`GET ${p} answered ${response.status}`);
      return performance.now() - started;
    };

    // Warm-up, untimed: the routes' first requests load their code.
    await get(`/api/client-operations/estimate?collectionId=${fleet.collectionId}`);
    await get('/api/client-operations');
    await post('/api/client-operations', {}).catch(() => undefined);
    await post('/api/client-operations/probe?site=1');
    // One operation started and cancelled before any agent connects: what a running site already
    // has, the result partitions of this block of operations and the next (the first start of
    // each hundred makes them), so the timed push is not the one start in a hundred that does.
    const warmUp = await post('/api/client-operations', { action: 'DOWNLOAD_COMPUTER_POLICY', target: { deviceIds: [fleet.deviceIds[0]] } });
    await post(`/api/client-operations/${warmUp.id}/cancel`);

    log(`connecting ${agents} agents from ${processCount} processes over ${spreadMs} ms`);
    const connectedAnswer = fromAgents('connected');
    const credentials: AgentCredential[] = fleet.credentials;
    const share = Math.ceil(credentials.length / processCount);
    agentProcesses.forEach((child, i) => {
      // Within each process, every other agent prefers the first management point and the rest the
      // second (each falls back to the other): an even split whatever the number of processes.
      const urls = managementPoints.map((mp) => mp.url);
      child.send({
        type: 'start',
        urls,
        spreadOverUrls: true,
        credentials: credentials.slice(i * share, (i + 1) * share),
        spreadMs,
        gatePushWork: true,
      });
    });
    const connected = (await connectedAnswer).reduce((sum, answer) => sum + answer.connected, 0);
    log(`${connected} agents connected; letting presence settle`);
    await sleep(5000);
    const { rows: byServer } = await db.query<{ instance_id: string; n: number }>(
      `SELECT instance_id, count(*)::int AS n FROM device_presence GROUP BY instance_id ORDER BY instance_id`,
    );
    log(`presence: ${byServer.map((r) => `${r.n} on ${r.instance_id}`).join(', ')}`);

    for (let i = 0; i < probeCount; i++) {
      await post('/api/client-operations/probe?site=1');
      await sleep(3000);
    }

    log('starting Download Computer Policy on the collection');
    // Each management point answers an agent's result once the batch holding it has committed, so
    // the last agent told "stored" marks all results stored (a little late, never early). Waiting
    // on that rather than counting target rows every 50 ms keeps the benchmark's own queries off
    // the database it times; a count every second remains, should an answer go missing.
    const allStored = fromAgents('allStored');
    const cpu = cpuMeter({
      agents: (table) => agentProcesses.flatMap((child) => processTree(table, child.pid!)),
      managementPoints: (table) => managementPoints.flatMap((mp) => processTree(table, mp.child.pid!, isPostgres)),
      console: (table) => processTree(table, consoleServer!.child.pid!, isPostgres),
      postgres: (table) => table.filter(isPostgres),
    });
    const startedAt = Date.now();
    const operation = await post('/api/client-operations', { action: 'DOWNLOAD_COMPUTER_POLICY', target: { collectionId: fleet.collectionId } });
    log(`the start answered after ${Date.now() - startedAt} ms`);
    const consoleTimes: number[] = [];
    let reading = true;
    const reader = (async () => {
      while (reading) {
        consoleTimes.push(await get('/api/client-operations'), await get(`/api/client-operations/${operation.id}`));
        await sleep(200);
      }
    })();
    const countMs: number[] = [];
    const countResults = async () => {
      const t0 = performance.now();
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 AND state IN ('SUCCEEDED', 'FAILED')`,
        [operation.id],
      );
      countMs.push(performance.now() - t0);
      return rows[0].n;
    };
    let toldAt: number | null = null;
    void allStored.then(
      (answers) => {
        if (answers.every((a) => a.operationId === operation.id)) toldAt = Math.max(...answers.map((a) => a.at));
      },
      () => undefined,
    );
    let allResultsMs: number | null = null;
    let results = 0;
    const deadline = startedAt + 60_000;
    while (Date.now() < deadline) {
      const polledAt = Date.now();
      results = await countResults();
      if (results >= operation.total) {
        // Both moments are no earlier than the last commit; the earlier is the closer.
        allResultsMs = Math.min(toldAt ?? polledAt, polledAt) - startedAt;
        break;
      }
      await (toldAt === null ? Promise.race([sleep(1000), allStored.catch(() => undefined)]) : sleep(50));
    }
    const cpuSeconds = cpu.stop().seconds;
    reading = false;
    await reader;
    clearInterval(sampler);
    log(`${results} of ${operation.total} results stored${allResultsMs !== null ? ` after ${allResultsMs} ms` : ' (gave up after 60 s)'}`);
    log(
      `agents told stored: ${toldAt === null ? 'not all' : `after ${toldAt - startedAt} ms`}; each count of results took ${countMs.map(Math.round).join(', ')} ms`,
    );
    const { rows: tail } = await db.query<{ part: number; p50: number; p90: number; p99: number; last: number }>(
      `SELECT (t.device_id - m.first) / $3 AS part,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at) * 1000 - $2)::int AS p50,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at) * 1000 - $2)::int AS p90,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM t.completed_at) * 1000 - $2)::int AS p99,
              max(extract(epoch FROM t.completed_at) * 1000 - $2)::int AS last
         FROM client_operation_target t, (SELECT min(device_id) AS first FROM client_operation_target WHERE operation_id = $1) m
        WHERE t.operation_id = $1 GROUP BY 1 ORDER BY 1`,
      [operation.id, startedAt, Math.ceil(agents / processCount)],
    );
    log(
      `results completed (agents' clock, ms after the start) by process: ${tail.map((r) => `#${r.part} p50 ${r.p50} p90 ${r.p90} p99 ${r.p99} last ${r.last}`).join('; ')}`,
    );

    const collectedAnswer = fromAgents('collected');
    for (const child of agentProcesses) child.send({ type: 'collect' });
    const collected = await collectedAnswer;
    const baseline = collected.flatMap((c) => c.probes.flatMap((p) => p.receivedAt.map((t) => t - p.sentAt)));
    const delivered = collected.flatMap((c) => c.pushes.map((t) => t - startedAt));
    log(`baseline: ${baseline.length} probe receipts; pushes received: ${delivered.length}`);
    const spread = (times: number[]) =>
      `first ${Math.round(times.reduce((a, b) => Math.min(a, b), Infinity))}, ` +
      [10, 50, 90, 99].map((q) => `p${q} ${Math.round(percentile(times, q))}`).join(', ');
    collected.forEach((c, i) =>
      log(
        `process ${i}: probe ${spread(c.probes.flatMap((p) => p.receivedAt.map((t) => t - p.sentAt)))}; push ${spread(c.pushes.map((t) => t - startedAt))}`,
      ),
    );
    log(`probe receipts after the broadcast left (ms): ${spread(baseline)}; pushes after the start request: ${spread(delivered)}`);
    const baselineP99Ms = Math.round(percentile(baseline, 99));
    const deliveredP99Ms = Math.round(percentile(delivered, 99));
    const { rows: states } = await db.query<{ succeeded: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE state = 'SUCCEEDED')::int AS succeeded, count(*) FILTER (WHERE state = 'FAILED')::int AS failed
         FROM client_operation_target WHERE operation_id = $1`,
      [operation.id],
    );
    const { succeeded, failed } = states[0];
    const figures = {
      agents,
      processes: processCount,
      managementPoints: managementPoints.length,
      connected,
      notConnected: agents - connected,
      deliveredP50Ms: Math.round(percentile(delivered, 50)),
      deliveredP99Ms,
      baselineP99Ms,
      ratio: baselineP99Ms ? Math.round((deliveredP99Ms / baselineP99Ms) * 100) / 100 : null,
      allResultsMs,
      succeeded,
      failed,
      missing: operation.total - succeeded,
      mpRssMb: peakRss.map(Math.round),
      maxMpRssMb: Math.round(Math.max(...peakRss)),
      consoleP95Ms: Math.round(percentile(consoleTimes, 95) * 10) / 10,
      consoleReads: consoleTimes.length,
      cpuSeconds,
    };
    const stopped = agentProcesses.map((child) => new Promise((resolve) => child.once('exit', resolve)));
    for (const child of agentProcesses) child.send({ type: 'stop' });
    await Promise.all(stopped);
    return reportFigures('site-25k', figures, targets);
  } finally {
    for (const child of agentProcesses) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(managementPoints.map((mp) => stopSitebox(mp.child)));
    if (consoleServer) await stopSitebox(consoleServer.child);
    await db.end();
    await database.drop();
  }
}
