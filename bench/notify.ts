// notify: 10,000 simulated agents (a second process) connected to one management point process
// (server.ts); Download Computer Policy on a collection of all of them. First, to the same
// connected agents, bare socket.io broadcasts with no database work (the channel probe) give the
// baseline. Prints one JSON line:
// {"scenario":"notify","agents":N,"connected":N,"baselineP99Ms":Z,"deliveredP50Ms":A,"deliveredP99Ms":B,
//  "ratio":B/Z,"allResultsMs":C,"serverRssMb":D,"missing":N}
//   delivered: from the start request to each agent's receipt of the push.
//   allResults: from the start request until every result is stored.
//   missing: targets without a stored result 60 s after the start.
//   npm run bench -- notify [--agents 10000] [--spread-ms 15000] [--probes 3]
import { fork, spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { provisionSimulatedFleet } from '../lib/agent/provision-simulated-fleet';
import type { AgentCredential } from '../lib/protocol/policy.schema';
import { consoleSession, freshDatabase, percentile, rssMb, sleep, startSitebox, stopSitebox } from './support/sitebox-server';

const log = (message: string) => process.stderr.write(`[notify] ${message}\n`);

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

type FromAgents =
  | { type: 'connected'; connected: number }
  | { type: 'collected'; connected: number; probes: { sentAt: number; receivedAt: number[] }[]; pushes: number[] }
  | { type: 'failed'; message: string };

export default async function notify(args: string[]) {
  const agents = option(args, 'agents', 10_000);
  const spreadMs = option(args, 'spread-ms', 15_000);
  const probeCount = option(args, 'probes', 3);

  log('checking the console build (npm start does the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: 'inherit' }).status !== 0) throw new Error('build failed');

  const database = await freshDatabase('sitebox_bench_notify');
  const { migrate } = await import('../lib/db/migrator');
  await migrate({ connectionString: database.url });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let sitebox: Awaited<ReturnType<typeof startSitebox>> | null = null;
  const agentsProcess = fork(path.join(process.cwd(), 'bench', 'support', 'notify-agents.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const fromAgents = <T extends FromAgents['type']>(type: T) =>
    new Promise<Extract<FromAgents, { type: T }>>((resolve, reject) => {
      const onMessage = (m: FromAgents) => {
        if (m.type === 'failed') reject(new Error(`simulated agents failed: ${m.message}`));
        if (m.type !== type) return;
        agentsProcess.off('message', onMessage);
        resolve(m as Extract<FromAgents, { type: T }>);
      };
      agentsProcess.on('message', onMessage);
    });
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
    await fetch(`${sitebox.url}/api/client-operations/estimate?collectionId=${fleet.collectionId}`, { headers: { cookie: session.cookie } }).then((r) => r.text());
    await post('/api/client-operations', {}).catch(() => undefined);
    await fetch(`${sitebox.url}/api/mp/policy`, { headers: { authorization: `Device ${fleet.credentials[0].deviceId}.${fleet.credentials[0].secret}` } }).then((r) => r.text());

    await post('/api/client-operations/probe');
    log(`connecting ${agents} agents from a second process over ${spreadMs} ms`);
    const connectedAnswer = fromAgents('connected');
    agentsProcess.send({ type: 'start', urls: [sitebox.url], credentials: fleet.credentials satisfies AgentCredential[], spreadMs });
    const { connected } = await connectedAnswer;
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
    let allResultsMs = -1;
    let succeeded = 0;
    const deadline = startedAt + 60_000;
    while (Date.now() < deadline) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 AND state IN ('SUCCEEDED', 'FAILED')`,
        [operation.id],
      );
      succeeded = rows[0].n;
      if (succeeded >= operation.total) {
        allResultsMs = Date.now() - startedAt;
        break;
      }
      await sleep(25);
    }
    clearInterval(sampler);
    log(`${succeeded} of ${operation.total} results stored${allResultsMs >= 0 ? ` after ${allResultsMs} ms` : ' (gave up after 60 s)'}`);

    const collectedAnswer = fromAgents('collected');
    agentsProcess.send({ type: 'collect' });
    const collected = await collectedAnswer;
    const baseline = collected.probes.flatMap((p) => p.receivedAt.map((t) => t - p.sentAt));
    const delivered = collected.pushes.map((t) => t - startedAt);
    log(`first push received ${Math.min(...delivered)} ms after the start request, last ${Math.max(...delivered)} ms`);
    const baselineP99Ms = Math.round(percentile(baseline, 99));
    const deliveredP99Ms = Math.round(percentile(delivered, 99));
    const { rows: failed } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM client_operation_target WHERE operation_id = $1 AND state = 'FAILED'`,
      [operation.id],
    );
    if (failed[0].n) log(`${failed[0].n} agents reported a failure`);
    const { rows: timing } = await db.query(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY (result->>'durationMs')::int) AS fetch_p50,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY (result->>'durationMs')::int) AS fetch_p99,
              extract(epoch FROM max(completed_at) - $2::timestamptz) * 1000 AS last_completed_ms
         FROM client_operation_target WHERE operation_id = $1`,
      [operation.id, new Date(startedAt)],
    );
    log(`policy fetch p50 ${timing[0].fetch_p50} ms, p99 ${timing[0].fetch_p99} ms; last action completed ${Math.round(timing[0].last_completed_ms)} ms after the start`);
    const result = {
      scenario: 'notify',
      agents,
      connected,
      baselineP99Ms,
      deliveredP50Ms: Math.round(percentile(delivered, 50)),
      deliveredP99Ms,
      ratio: baselineP99Ms ? Math.round((deliveredP99Ms / baselineP99Ms) * 100) / 100 : null,
      allResultsMs,
      serverRssMb: Math.round(peakRss),
      missing: operation.total - succeeded,
    };
    agentsProcess.send({ type: 'stop' });
    await new Promise((resolve) => agentsProcess.once('exit', resolve));
    console.log(JSON.stringify(result));
  } finally {
    if (agentsProcess.exitCode === null) agentsProcess.kill('SIGKILL');
    if (sitebox) await stopSitebox(sitebox.child);
    await db.end();
    await database.drop();
  }
}
