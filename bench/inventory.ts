// inventory: 10,000 simulated clients send their full hardware and software inventory (~1,500
// packages each) to one management point (server.ts with its workers), then a round of deltas
// (~1 % of each machine's packages changed), on a fresh database.
//
//   npm run bench -- inventory [--clients 10000] [--processes 2] [--concurrency 8] [--delta-concurrency 32] [--seed 1] [--samples 200]
//                              [--stall-seconds 60] [--round-seconds 1800]
//   (SITEBOX_BENCH_INVENTORY_CLIENTS sets the default of --clients)
//
// The clients are bench/support/inventory-clients.ts processes (not the real agent): reports made
// from the seeded fleet of bench/support/inventory-fleet.ts (machines sharing most packages, a few
// thousand distinct products), POSTed gzip-encoded over keep-alive with bounded concurrency: a
// process's 5,000 clients have 8 full reports (~100 KB each) in flight at a time, and 32 deltas
// (a few KB), as a fleet reporting after its inventory cycle would keep far more than 8 going.
// Everything counted is read from the database, independently of what the clients say they sent.
// Prints one JSON line:
// {"scenario":"inventory","clients":N,"fullLoadSeconds":A,"copyRatio":R,"deltaPerSecond":D,"softwareRows":S,
//  "collectionEvalMs":C,"resourceExplorerP95Ms":E,"lost":0,...,"targets":{...},"missed":[...]}
//   fullLoadSeconds: from the first full report sent until the site has loaded all of them (inventory_report).
//   copyRatio: a raw COPY of the same device_software and device_hardware_class rows into the same
//     (emptied) tables, timed in this run with Sitebox's processes paused, divided by fullLoadSeconds.
//   deltaPerSecond: clients whose delta was loaded per second, first delta sent to last loaded.
//   softwareRows: device_software rows after the deltas.
//   collectionEvalMs: "has package X with version < Y" over every device's software (median of 3).
//   resourceExplorerP95Ms: HTTP GETs of a random device's first software page (200 packages, as the
//     Software tab loads) and of its summary with hardware classes, as a read-only console user.
//   lost: reports neither loaded nor waiting in the inbox, plus package rows expected after the
//     full load or after the deltas and not found; unexpectedRows: rows no report left there.
//   A round stops waiting after --round-seconds (fullLoadSeconds / deltaPerSecond are then null);
//   reports still in the inbox count as pendingReports, and their devices are not checked.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID, createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { provisionSimulatedFleet } from './support/provision-simulated-fleet';
import {
  applyDelta,
  fleetCatalog,
  machineDelta,
  machineHardware,
  machineSoftware,
  reportId,
  type FleetCatalog,
  type FleetPlan,
} from './support/inventory-fleet';
import type { FromInventoryClients, InventoryClient, InventoryClientCounts, ToInventoryClients } from './support/inventory-clients';
import {
  copyInventoryFiles,
  reportStates,
  evaluateSoftwareVersionBelow,
  loadedReportCounts,
  productIds,
  softwareDigests,
  softwareKeysOf,
  tableCounts,
  truncateInventoryTables,
} from './support/inventory-bench-repo';
import { consoleSession, freshDatabase, pauseProcessTree, percentile, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { reportFigures, type Target } from './support/targets';

/** Issue 20's targets for this 2-core machine. */
const targets: Record<string, Target> = {
  fullLoadSeconds: { max: 120 },
  copyRatio: { min: 0.5 },
  deltaPerSecond: { min: 1000 },
  collectionEvalMs: { max: 1000 },
  resourceExplorerP95Ms: { max: 100 },
  lost: { equals: 0 },
  unexpectedRows: { equals: 0 },
};

const log = (message: string) => process.stderr.write(`[inventory] ${message}\n`);

function option(args: string[], name: string, fallback: number): number {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

const CHUNK = 500;

export default async function inventory(args: string[]) {
  const clients = option(args, 'clients', Number(process.env.SITEBOX_BENCH_INVENTORY_CLIENTS ?? 10_000));
  const processCount = Math.max(2, option(args, 'processes', 2));
  const concurrency = option(args, 'concurrency', 8);
  const deltaConcurrency = option(args, 'delta-concurrency', 32);
  const seed = option(args, 'seed', 1);
  const samples = option(args, 'samples', 200);
  // Gives up waiting for the loader after this long without one more report loaded.
  const stallMs = option(args, 'stall-seconds', 60) * 1000;
  // Stops waiting for a round after this long (its unloaded reports then count as pending, not lost).
  const roundMs = option(args, 'round-seconds', 1800) * 1000;

  log('checking the console build (npm start does the same)');
  if (spawnSync(process.execPath, ['scripts/ensure-build.mjs'], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0)
    throw new Error('build failed');

  const workDir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-bench-inventory-'));
  const database = await freshDatabase('sitebox_bench_inventory');
  const { migrate } = await import('../lib/db/migrator');
  await migrate({ connectionString: database.url });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  let sitebox: Awaited<ReturnType<typeof startSitebox>> | null = null;
  const children: ChildProcess[] = [];
  try {
    const runId = randomUUID();
    // Collected two hours ago, so the delta an hour later is still in the past.
    const plan: FleetPlan = { seed, collectedAt: Date.now() - 2 * 3_600_000 };
    const catalog = fleetCatalog(seed);
    log(`provisioning ${clients} devices; the fleet's catalog holds ${catalog.products.length} distinct products`);
    const fleet = await provisionSimulatedFleet({ db, siteCode: 'S01', prefix: 'INV-', count: clients });
    // The collection's package: a base package every machine has at one of three versions; members hold one below the newest.
    const probe = catalog.base[catalog.base.findIndex((levels, b) => levels.length === 3 && catalog.updates[b] < 0)];
    const machines: InventoryClient[] = fleet.credentials.map((c, machine) => ({ machine, deviceId: c.deviceId, name: c.name, secret: c.secret }));

    log('starting the management point (server.ts, all workers)');
    sitebox = await startSitebox({ databaseUrl: database.url, env: { SITEBOX_SEED_DEVICES: '0', SITEBOX_NOTIFICATION_PORT: 'off' } });
    // Warm-up, untimed: the route's first request loads its code (an empty body is refused with 400).
    const warmUp = await fetch(`${sitebox.url}/api/mp/inventory`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Device ${machines[0].deviceId}.${machines[0].secret}` },
      body: '{}',
    });
    log(`warm-up request answered ${warmUp.status}: ${(await warmUp.text()).slice(0, 200)}`);

    for (let i = 0; i < processCount; i++) {
      children.push(
        fork(path.join(process.cwd(), 'bench', 'support', 'inventory-clients.ts'), [], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        }),
      );
    }
    const fromChild = <T extends FromInventoryClients['type']>(child: ChildProcess, type: T) =>
      new Promise<Extract<FromInventoryClients, { type: T }>>((resolve, reject) => {
        const onMessage = (m: FromInventoryClients) => {
          if (m.type === 'failed') reject(new Error(`simulated clients failed: ${m.message}`));
          if (m.type !== type) return;
          child.off('message', onMessage);
          resolve(m as Extract<FromInventoryClients, { type: T }>);
        };
        child.on('message', onMessage);
      });
    const ask = async <T extends FromInventoryClients['type']>(message: (i: number) => ToInventoryClients, type: T) => {
      const answers = Promise.all(children.map((child) => fromChild(child, type)));
      children.forEach((child, i) => child.send(message(i)));
      return answers;
    };
    const share = Math.ceil(clients / processCount);

    log(`making ${clients} full reports in ${processCount} processes`);
    let ready = await ask((i) => ({ type: 'prepare', url: sitebox!.url, runId, plan, clients: machines.slice(i * share, (i + 1) * share) }), 'ready');
    log(`full reports ready: ${(ready.reduce((s, r) => s + r.bytes, 0) / 1e6).toFixed(1)} MB gzip-encoded`);

    const full = await sendRound('full', ask, db, clients, stallMs, roundMs, concurrency);
    log(`full round: loaded ${full.loaded} of ${clients} in ${full.seconds.toFixed(1)} s; clients: ${describeCounts(full.counts)}`);
    const fullIds = machines.map((m) => reportId(runId, m.machine, 'full'));
    const deltaIds = machines.map((m) => reportId(runId, m.machine, 'delta'));
    let fullStates = await reportStates(db, fullIds);
    const fullCheck = await checkSoftware({
      db,
      catalog,
      plan,
      machines,
      probe,
      holds: (m) => (fullStates.loaded.has(fullIds[m]) ? 'full' : null),
    });
    log(
      `after the full round: ${fullCheck.missing.size} rows missing, ${fullCheck.unexpected} unexpected, ` +
        `${fullStates.loaded.size} of ${clients} reports loaded, ${fullStates.waiting.size} waiting`,
    );

    ready = await ask(() => ({ type: 'prepare-deltas' }), 'ready');
    log(`deltas ready: ${(ready.reduce((s, r) => s + r.bytes, 0) / 1e6).toFixed(2)} MB gzip-encoded`);
    const delta = await sendRound('delta', ask, db, clients, stallMs, roundMs, deltaConcurrency);
    log(`delta round: loaded ${delta.loaded} of ${clients} in ${delta.seconds.toFixed(1)} s; clients: ${describeCounts(delta.counts)}`);
    fullStates = await reportStates(db, fullIds);
    const deltaStates = await reportStates(db, deltaIds);
    // Each device is checked against the last of its reports the site has loaded; one with none is only pending.
    const finalCheck = await checkSoftware({
      db,
      catalog,
      plan,
      machines,
      probe,
      holds: (m) => (deltaStates.loaded.has(deltaIds[m]) ? 'delta' : fullStates.loaded.has(fullIds[m]) ? 'full' : null),
    });
    // A row missing after the full load and then removed by its (loaded) delta shows only in the first check.
    let lostRows = finalCheck.missing.size;
    lostRows += fullCheck.removedMissing.filter((machine) => deltaStates.loaded.has(deltaIds[machine])).length;
    const pendingReports = fullStates.waiting.size + deltaStates.waiting.size;
    const lostReports = 2 * clients - fullStates.loaded.size - deltaStates.loaded.size - pendingReports;
    log(
      `after the deltas: ${finalCheck.missing.size} rows missing, ${finalCheck.unexpected} unexpected, ` +
        `${deltaStates.loaded.size} of ${clients} delta reports loaded, ${deltaStates.waiting.size} waiting`,
    );

    await db.query('ANALYZE');
    const counts = await tableCounts(db);
    log(`${counts.softwareRows} device_software rows, ${counts.softwareProducts} software products, ${counts.hardwareClassRows} hardware class rows`);

    const { name: probeName, version: probeVersion } = catalog.products[probe[2]];
    const expectedMembers = finalCheck.machinesWithOlder;
    const evaluations: number[] = [];
    let members = 0;
    // The collection evaluator's own rule resolution and member query (lib/collections), on a pool as it runs.
    const evaluationPool = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        members = await evaluateSoftwareVersionBelow(evaluationPool, probeName, probeVersion);
        evaluations.push(performance.now() - started);
      }
    } finally {
      await evaluationPool.end();
    }
    log(
      `collection "has ${probeName} with version < ${probeVersion}": ${members} members (the fleet says ${expectedMembers}), ` +
        `${evaluations.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    if (members !== expectedMembers) log('WARNING: the collection has other members than the fleet holds');

    // Resource Explorer over HTTP, as the console reads it: a random device's first software page
    // (the page size the Software tab loads) and its summary with hardware classes.
    const session = await consoleSession(db, 'READ_ONLY_ANALYST', 'bench-reader');
    const get = async (url: string) => {
      const started = performance.now();
      const response = await fetch(`${sitebox!.url}${url}`, { headers: { cookie: session.cookie } });
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${Buffer.from(body).toString().slice(0, 200)}`);
      return performance.now() - started;
    };
    // Warm-up, untimed: each route's first request loads its code.
    await get(`/api/devices/${machines[0].deviceId}/software?limit=200`);
    await get(`/api/devices/${machines[0].deviceId}/inventory`);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      const { deviceId } = machines[Math.floor(Math.random() * machines.length)];
      latencies.push(await get(`/api/devices/${deviceId}/software?limit=200`));
      latencies.push(await get(`/api/devices/${deviceId}/inventory`));
    }
    log(
      `Resource Explorer: ${latencies.length} reads, p50 ${percentile(latencies, 50).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms`,
    );

    log('writing the raw COPY reference files (the full load’s rows)');
    const files = await writeCopyFiles(db, catalog, plan, machines, workDir);
    await truncateInventoryTables(db);
    const resume = pauseProcessTree(sitebox.child.pid!);
    const copyStarted = performance.now();
    try {
      await copyInventoryFiles(db, files);
    } finally {
      resume();
    }
    const copySeconds = (performance.now() - copyStarted) / 1000;
    log(`raw COPY of ${files.softwareRows} software and ${files.hardwareRows} hardware class rows: ${copySeconds.toFixed(1)} s`);

    const fullLoadSeconds = full.loaded === clients ? Number(full.seconds.toFixed(1)) : null;
    const figures = {
      clients,
      fullLoadSeconds,
      copyRatio: fullLoadSeconds ? Number((copySeconds / fullLoadSeconds).toFixed(3)) : null,
      deltaPerSecond: delta.loaded === clients ? Math.round(clients / delta.seconds) : null,
      softwareRows: counts.softwareRows,
      collectionEvalMs: Math.round(percentile(evaluations, 50)),
      resourceExplorerP95Ms: Number(percentile(latencies, 95).toFixed(1)),
      lost: lostReports + lostRows,
      processes: processCount,
      copySeconds: Number(copySeconds.toFixed(1)),
      deltaSeconds: Number(delta.seconds.toFixed(1)),
      softwareProducts: counts.softwareProducts,
      fullLoaded: full.loaded,
      deltaLoaded: delta.loaded,
      pendingReports,
      lostReports,
      lostRows,
      unexpectedRows: finalCheck.unexpected,
      resyncs: full.counts.resync + delta.counts.resync,
      refused: full.counts.refused + delta.counts.refused + full.counts.failed + delta.counts.failed,
      answered503: full.counts.answered503 + delta.counts.answered503,
    };
    return reportFigures('inventory', figures, targets);
  } finally {
    for (const child of children) if (child.connected) child.disconnect();
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    if (sitebox) await stopSitebox(sitebox.child);
    await db.end().catch(() => undefined);
    await database.drop().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

type Ask = <T extends FromInventoryClients['type']>(
  message: (i: number) => ToInventoryClients,
  type: T,
) => Promise<Extract<FromInventoryClients, { type: T }>[]>;

/** Sends a round from every client process and waits until the site has loaded it (or stalls). */
async function sendRound(round: 'full' | 'delta', ask: Ask, db: pg.Client, clients: number, stallMs: number, roundMs: number, concurrency: number) {
  const started = performance.now();
  let sentAt: number | null = null;
  const sending = ask(() => ({ type: 'send', concurrency }), 'sent').finally(() => (sentAt = performance.now()));
  sending.catch(() => undefined); // awaited below; a failure meanwhile must not count as unhandled
  let loaded = 0;
  let lastProgress = performance.now();
  let loadedAt = started;
  for (;;) {
    const counts = await loadedReportCounts(db);
    const now = round === 'full' ? counts.full : counts.delta;
    if (now !== loaded) {
      loaded = now;
      lastProgress = loadedAt = performance.now();
    }
    if (loaded >= clients) break;
    if (performance.now() - started > roundMs) {
      log(`${round} round: ${loaded} of ${clients} loaded after ${roundMs / 1000} s; no longer waiting`);
      break;
    }
    if (sentAt !== null && performance.now() - Math.max(lastProgress, sentAt) > stallMs) {
      log(`${round} round: nothing more loaded for ${stallMs / 1000} s (inbox holds ${counts.inbox}); giving up`);
      break;
    }
    await sleep(100);
  }
  const answers = await sending;
  for (const refusal of answers.flatMap((a) => a.refusals)) log(`${round} round: ${refusal}`);
  const counts = answers.reduce<InventoryClientCounts>(
    (sum, a) => Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v + a.counts[k as keyof InventoryClientCounts]])) as InventoryClientCounts,
    { requests: 0, accepted: 0, duplicate: 0, resync: 0, answered503: 0, retried: 0, refused: 0, failed: 0, bytes: 0 },
  );
  const latencies = answers.flatMap((a) => a.latenciesMs).sort((a, b) => a - b);
  const latency = latencies.length
    ? `answers p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${latencies.at(-1)!.toFixed(0)} ms`
    : 'no answers';
  const { rows: batches } = await db.query<{ n: number; at: Date }>(
    `SELECT count(*)::int AS n, loaded_at AS at FROM inventory_report WHERE kind = $1 GROUP BY loaded_at ORDER BY loaded_at`,
    [round === 'full' ? 'FULL' : 'DELTA'],
  );
  const sizes = batches.map((b) => b.n).sort((a, b) => a - b);
  log(
    `${round} round: loaded in ${batches.length} batches (median ${percentile(sizes, 50)} reports, largest ${sizes.at(-1) ?? 0}), ` +
      `${batches.length ? ((batches.at(-1)!.at.getTime() - batches[0].at.getTime()) / 1000).toFixed(1) : 0} s from the first batch to the last`,
  );
  log(`${round} round: all sent ${(((sentAt ?? started) - started) / 1000).toFixed(1)} s after the start; ${latency}`);
  return { seconds: (loadedAt - started) / 1000, loaded, counts };
}

const describeCounts = (c: InventoryClientCounts) =>
  `${c.requests} requests, ${c.accepted} accepted, ${c.duplicate} duplicate, ${c.resync} resync, ${c.answered503} answered 503, ` +
  `${c.retried} retried, ${c.refused} refused, ${c.failed} given up, ${(c.bytes / 1e6).toFixed(1)} MB`;

const productKey = (catalog: FleetCatalog, p: number) => {
  const { name, version, arch } = catalog.products[p];
  return `${name}\t${version}\t${arch}`;
};

/**
 * Compares every device's device_software rows with what the fleet says it holds after the round
 * `holds(machine)` names (null: nothing of it is loaded yet, not checked): an md5 of its sorted
 * keys per device, and for a device that differs the rows themselves. Returns the missing rows
 * (`deviceId name version arch`), the count of rows no report left there, for each missing row
 * that the machine's delta removes the machine (such a row no longer shows once the delta is
 * loaded), and how many machines hold a version of `probe` below its newest.
 */
async function checkSoftware(options: {
  db: pg.Client;
  catalog: FleetCatalog;
  plan: FleetPlan;
  machines: InventoryClient[];
  holds: (machine: number) => 'full' | 'delta' | null;
  /** Products of one package, oldest version first (the collection's package). */
  probe: number[];
}) {
  const { db, catalog, plan, machines } = options;
  const missing = new Set<string>();
  const removedMissing: number[] = [];
  let unexpected = 0;
  const older = new Set(options.probe.slice(0, -1));
  let machinesWithOlder = 0;
  for (let start = 0; start < machines.length; start += CHUNK) {
    const chunk = machines.slice(start, start + CHUNK).filter((m) => options.holds(m.machine) !== null);
    const found = await softwareDigests(
      db,
      chunk.map((m) => m.deviceId),
    );
    for (const m of chunk) {
      const fullSoftware = machineSoftware(catalog, plan, m.machine);
      const delta = machineDelta(catalog, plan, m.machine, fullSoftware);
      const software = options.holds(m.machine) === 'full' ? fullSoftware : applyDelta(fullSoftware, delta);
      if (software.products.some((p) => older.has(p))) machinesWithOlder++;
      const keys = software.products.map((p) => productKey(catalog, p)).sort();
      const digest = createHash('md5').update(keys.join('\n')).digest('hex');
      const stored = found.get(m.deviceId);
      if (stored?.rows === keys.length && stored.digest === digest) continue;
      const storedKeys = new Set(await softwareKeysOf(db, m.deviceId));
      const expected = new Set(keys);
      const removed = new Set(delta.removed.map((p) => productKey(catalog, p)));
      for (const k of keys) {
        if (storedKeys.has(k)) continue;
        missing.add(`${m.deviceId}\t${k}`);
        if (options.holds(m.machine) === 'full' && removed.has(k)) removedMissing.push(m.machine);
      }
      for (const k of storedKeys) if (!expected.has(k)) unexpected++;
    }
  }
  return { missing, removedMissing, unexpected, machinesWithOlder };
}

/**
 * The full load's rows in COPY text format, in two files: device_software (product ids as the
 * site stored them) and device_hardware_class (instances as JSON).
 */
async function writeCopyFiles(db: pg.Client, catalog: FleetCatalog, plan: FleetPlan, machines: InventoryClient[], dir: string) {
  const ids = await productIds(db);
  const files = { software: path.join(dir, 'device_software.copy'), hardware: path.join(dir, 'device_hardware_class.copy') };
  const software = createWriteStream(files.software);
  const hardware = createWriteStream(files.hardware);
  const updatedAt = new Date(plan.collectedAt).toISOString();
  let softwareRows = 0;
  let hardwareRows = 0;
  for (let start = 0; start < machines.length; start += CHUNK) {
    let softwareText = '';
    let hardwareText = '';
    for (const m of machines.slice(start, start + CHUNK)) {
      const owned = machineSoftware(catalog, plan, m.machine);
      owned.products.forEach((p, i) => {
        const id = ids.get(productKey(catalog, p));
        if (id === undefined) return; // the site lost this product: counted in lost, nothing to copy
        softwareText += `${m.deviceId}\t${id}\t${owned.installedOn[i]}\n`;
        softwareRows++;
      });
      for (const [className, instances] of Object.entries(machineHardware(plan, m.machine, m.name))) {
        if (!instances.length) continue; // a class with no instances is no row (no user logged on)
        hardwareText += `${m.deviceId}\t${className}\t${JSON.stringify(instances).replace(/\\/g, '\\\\')}\t${updatedAt}\n`;
        hardwareRows++;
      }
    }
    if (!software.write(softwareText)) await once(software, 'drain');
    if (!hardware.write(hardwareText)) await once(hardware, 'drain');
  }
  software.end();
  hardware.end();
  await Promise.all([once(software, 'finish'), once(hardware, 'finish')]);
  return { ...files, softwareRows, hardwareRows };
}
