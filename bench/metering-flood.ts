// metering-flood: the reference's software metering flood made by the real feature. 500 metering
// rules reach 500 simulated clients (ClientAgent in --processes agent processes, each with its own
// spooling status reporter) when a Download Computer Policy push to all of them makes every client
// fetch policy and acknowledge at once — through the real policy endpoint, the agent's
// acknowledgement code, its reporter and disk spool, the management point's ingest and Status
// Manager with its seeded filter rules. Run in both acknowledgement modes (site setting
// clientAgent.meteringAgent.acknowledgements, changed through the site settings API), each with
// fresh agent processes. Before each measured flood, a warm-up flood of 100 other rules goes to the
// same clients the same way, and is not counted: the site and its clients measured as they run
// after a while, their code compiled and their connections open, not in their first seconds.
// Prints one JSON line per mode, the last one the per-policy mode's:
// {"scenario":"metering-flood","mode":"per-rule"|"per-policy","clients":500,"rules":500,"acks":A,"stored":S,"lost":L,
//  "seconds":T,"consoleP95Ms":P,"copyRate":C,"ratio":R,"targets":{…},"missed":[…]}
//   acks: the acknowledgements the clients make (the agent's own function over the policy they get).
//   stored: acknowledgement messages of these clients stored by Status Manager, counted in the
//     database (10907 is kept a day by its seeded filter rule, 10908 by the catch-all rule).
//   seconds: from the push request until every acknowledgement is stored.
//   consoleP95Ms: the status message viewer's first page, read every 100 ms throughout.
//   copyRate / ratio: a raw COPY of as many status_message rows in the same run (Sitebox paused),
//     and the flood's storing rate against it.
//   cpuSeconds: CPU time (Linux /proc) from the push until every acknowledgement is stored, of the
//     agent processes, of Sitebox's processes (server, ingest threads, workers) and of every
//     postgres process on the host; copyCpuSeconds: the same for the raw COPY, of this process
//     (writing the rows) and of postgres. Where the flood's time goes, as one host has two cores.
//   minorFaultsK: thousands of minor page faults the same groups took over the flood (each costs
//     about 10 µs of CPU on a paravirtualised guest, a tenth of that on bare metal).
//   warmUp: the warm-up flood's acknowledgements and the seconds until all were stored.
//
//   npm run bench -- metering-flood [--clients 500] [--rules 500] [--processes 2] [--mode per-rule|per-policy]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { meteringAcknowledgements, METERING_COMPONENT } from '../lib/agent/metering/acknowledge-rules';
import { clientMessageIds } from '../lib/protocol/client-message-ids';
import type { MeteringAcknowledgementMode } from '../lib/protocol/metering-policy.schema';
import { clientPolicySchema } from '../lib/protocol/policy.schema';
import { provisionSimulatedFleet } from './support/provision-simulated-fleet';
import { forkAgentProcesses } from './support/notify-agent-processes';
import { cpuMeter, isPostgres, processTree } from './support/process-table';
import { consoleSession, freshDatabase, pauseProcessTree, percentile, sleep, startSitebox, stopSitebox } from './support/sitebox-server';
import { reportFigures, type BenchOutcome, type Target } from './support/targets';

const log = (message: string) => process.stderr.write(`[metering-flood] ${message}\n`);

/** Issue 16's targets, per mode. */
const targets: Record<MeteringAcknowledgementMode, Record<string, Target>> = {
  'per-rule': { lost: { equals: 0 }, consoleP95Ms: { max: 250 }, consoleReadErrors: { equals: 0 }, ratio: { min: 0.5 } },
  'per-policy': { lost: { equals: 0 }, seconds: { max: 5 }, consoleReadErrors: { equals: 0 } },
};

function option(args: string[], name: string, fallback: string): string {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? args[index + 1] : fallback;
}

const SITE = 'S01';
/** Rules of the warm-up flood that comes before each measured one (see below). */
const WARM_UP_RULES = 100;

export default async function meteringFlood(args: string[]): Promise<BenchOutcome> {
  const clients = Number(option(args, 'clients', '500'));
  const ruleCount = Number(option(args, 'rules', '500'));
  const processCount = Math.max(2, Number(option(args, 'processes', '2')));
  const only = option(args, 'mode', '');
  const modes = (['per-rule', 'per-policy'] as const).filter((m) => !only || m === only);

  const database = await freshDatabase('bench_metering');
  log('starting Sitebox (server.ts with its workers) on a fresh database');
  const sitebox = await startSitebox({ databaseUrl: database.url, env: { SITEBOX_SEED_DEVICES: '0', SITEBOX_NOTIFICATION_PORT: 'off' } });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const missed: string[] = [];
  try {
    const fleet = await provisionSimulatedFleet({ db, siteCode: SITE, prefix: 'METER', count: clients });
    const names = fleet.credentials.map((c) => c.name);
    await db.query(
      `INSERT INTO metering_rule (product_name, file_name, site_code, updated_at)
       SELECT 'Bench Product ' || g, 'bench-program-' || g, $2, now() FROM generate_series(1, $1) g`,
      [ruleCount, SITE],
    );
    await db.query(
      `INSERT INTO metering_rule (product_name, file_name, site_code, enabled, updated_at)
       SELECT 'Warm-up Product ' || g, 'warm-up-program-' || g, $2, false, now() FROM generate_series(1, $1) g`,
      [WARM_UP_RULES, SITE],
    );
    /** Enables the warm-up rules alone, or the measured rules alone. */
    const enableRules = (which: 'warm-up' | 'measured') =>
      db.query(`UPDATE metering_rule SET enabled = ((product_name LIKE 'Warm-up %') = $1), updated_at = now()`, [which === 'warm-up']);
    const admin = await consoleSession(db, 'FULL_ADMINISTRATOR', 'bench-admin');
    const reader = await consoleSession(db, 'READ_ONLY_ANALYST', 'bench-reader');
    const api = async (method: string, p: string, body?: unknown) => {
      const response = await fetch(`${sitebox.url}${p}`, {
        method,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${p} answered ${response.status}: ${text}`);
      return JSON.parse(text);
    };

    for (const mode of modes) {
      // The mode, through the site settings flow (a change, merged by the site-control workers).
      const view = await api('GET', '/api/site-settings');
      if (view.settings.clientAgent.meteringAgent?.acknowledgements !== mode) {
        const { change } = await api('POST', '/api/site-settings/changes', {
          baseSerial: view.serial,
          changes: { 'clientAgent.meteringAgent.acknowledgements': mode },
        });
        for (let until = Date.now() + 60_000; ; await sleep(200)) {
          const state = (await api('GET', `/api/site-settings/changes/${change.id}`)).change.state;
          if (state === 'APPLIED') break;
          if (state === 'REJECTED' || Date.now() > until) throw new Error(`the acknowledgement mode change ended ${state}`);
        }
      }
      // What the clients will acknowledge: the agent's own function over the policy they will get.
      const acknowledgementsNow = async () => {
        const policyResponse = await fetch(`${sitebox.url}/api/mp/policy`, {
          headers: { authorization: `Device ${fleet.credentials[0].deviceId}.${fleet.credentials[0].secret}` },
        });
        const policy = clientPolicySchema.parse(await policyResponse.json());
        if (policy.metering?.acknowledgements !== mode) throw new Error(`policy says ${policy.metering?.acknowledgements}, not ${mode}`);
        const perClient = meteringAcknowledgements({
          policy: policy.metering,
          acknowledged: new Set(),
          siteCode: SITE,
          systemName: names[0],
          now: new Date(),
        }).messages;
        return perClient.length * clients;
      };
      await enableRules('measured');
      const acks = await acknowledgementsNow();
      const messageId = mode === 'per-rule' ? clientMessageIds.meteringRulesReceived : clientMessageIds.meteringPolicyReceived;
      const storedNow = async () =>
        (
          await db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM status_message WHERE message_id = $1 AND component = $2 AND system_name = ANY($3::text[])`,
            [messageId, METERING_COMPONENT, names],
          )
        ).rows[0].n;
      // Status Manager's stored counter (a few rows) follows progress without loading the
      // database; the exact count runs once the counter says every acknowledgement could be in.
      const storedCounter = async () =>
        Number((await db.query<{ n: string }>(`SELECT coalesce(sum(value), 0)::text AS n FROM status_counter WHERE name = 'stored'`)).rows[0].n);
      let before = await storedNow();
      let counterBefore = await storedCounter();

      const spoolRoot = await mkdtemp(path.join(os.tmpdir(), 'sitebox-metering-flood-'));
      const { processes, fromAgents } = forkAgentProcesses(processCount, { nice: 10 });
      try {
        log(`${mode}: connecting ${clients} agents (a spooling reporter each) from ${processCount} processes`);
        const connectedAnswer = fromAgents('connected');
        const share = Math.ceil(clients / processCount);
        processes.forEach((child, i) =>
          child.send({
            type: 'start',
            urls: [sitebox.url],
            credentials: fleet.credentials.slice(i * share, (i + 1) * share),
            spreadMs: 2_000,
            spoolRoot,
          }),
        );
        const connected = (await connectedAnswer).reduce((sum, a) => sum + a.connected, 0);
        if (connected < clients) throw new Error(`only ${connected} of ${clients} agents connected`);

        // A warm-up flood first, of other rules to the same clients, and not counted: a site that has
        // run a while has its code compiled and its connections open, and so have its clients. It
        // ends when every one of its acknowledgements is stored, counted exactly.
        const warmUpStarted = performance.now();
        await enableRules('warm-up');
        const warmUpAcks = await acknowledgementsNow();
        await api('POST', '/api/client-operations', { action: 'DOWNLOAD_COMPUTER_POLICY', target: { deviceIds: fleet.deviceIds } });
        for (const until = Date.now() + 120_000; (await storedCounter()) - counterBefore < warmUpAcks || (await storedNow()) - before < warmUpAcks;) {
          if (Date.now() > until) throw new Error('the warm-up flood was not stored within two minutes');
          await sleep(100);
        }
        await enableRules('measured');
        before = await storedNow();
        counterBefore = await storedCounter();
        const warmUpSeconds = (performance.now() - warmUpStarted) / 1000;
        log(`${mode}: warm-up flood of ${warmUpAcks} acknowledgements stored in ${warmUpSeconds.toFixed(2)} s`);

        const latencies: number[] = [];
        let readErrors = 0;
        let reading = true;
        const reading$ = (async () => {
          while (reading) {
            const started = performance.now();
            try {
              const response = await fetch(`${sitebox.url}/api/status-messages?limit=50`, { headers: { cookie: reader.cookie } });
              await response.arrayBuffer();
              if (response.status !== 200) throw new Error(`answered ${response.status}`);
              latencies.push(performance.now() - started);
            } catch (error) {
              // A failed read counts as one slower than any target.
              if (readErrors++ < 3) log(`console read failed: ${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`);
              latencies.push(Number.POSITIVE_INFINITY);
            }
            await sleep(100);
          }
        })();

        log(`${mode}: Download Computer Policy to all ${clients}; ${acks} acknowledgements expected`);
        const floodCpu = cpuMeter({
          agents: (table) => processes.flatMap((child) => processTree(table, child.pid!)),
          site: (table) => processTree(table, sitebox.child.pid!, isPostgres),
          postgres: (table) => table.filter(isPostgres),
        });
        const started = performance.now();
        await api('POST', '/api/client-operations', { action: 'DOWNLOAD_COMPUTER_POLICY', target: { deviceIds: fleet.deviceIds } });
        let stored = 0;
        let last = { stored: -1, at: Date.now() };
        let seconds: number | null = null;
        for (;;) {
          const counted = (await storedCounter()) - counterBefore;
          stored = counted >= acks ? (await storedNow()) - before : Math.min(counted, acks - 1);
          if (stored >= acks) {
            seconds = (performance.now() - started) / 1000;
            break;
          }
          if (stored !== last.stored) last = { stored, at: Date.now() };
          // Gives up after a minute without one more stored.
          if (Date.now() - last.at > 60_000) break;
          await sleep(50);
        }
        const { seconds: cpuSeconds, minorFaultsK } = floodCpu.stop();
        reading = false;
        await reading$;
        log(`${mode}: ${stored} of ${acks} stored${seconds === null ? ' (gave up)' : ` after ${seconds.toFixed(2)} s`}`);

        // As many rows by raw COPY into status_message, in this same run, Sitebox paused.
        await db.query('CHECKPOINT');
        const resume = pauseProcessTree(sitebox.child.pid!);
        const copyStarted = performance.now();
        const copyMeter = cpuMeter({
          client: (table) => table.filter((e) => e.pid === process.pid),
          postgres: (table) => table.filter(isPostgres),
        });
        let copyCpuSeconds: Record<'client' | 'postgres', number>;
        try {
          await pipeline(Readable.from(copyRows(acks, names, messageId)), db.query(copyFrom(COPY_SQL)));
        } finally {
          copyCpuSeconds = copyMeter.stop().seconds;
          resume();
        }
        const copyRate = acks / ((performance.now() - copyStarted) / 1000);
        await db.query(`DELETE FROM status_message WHERE component = 'Bench COPY'`);
        const rate = seconds ? acks / seconds : 0;
        const outcome = reportFigures(
          'metering-flood',
          {
            mode,
            clients,
            rules: ruleCount,
            acks,
            stored,
            lost: acks - stored,
            seconds: seconds === null ? null : Number(seconds.toFixed(2)),
            consoleP95Ms: Number(percentile(latencies, 95).toFixed(1)),
            consoleReadErrors: readErrors,
            copyRate: Math.round(copyRate),
            ratio: Number((rate / copyRate).toFixed(3)),
            cpuSeconds,
            minorFaultsK,
            copyCpuSeconds,
            warmUp: { acks: warmUpAcks, seconds: Number(warmUpSeconds.toFixed(2)) },
          },
          targets[mode],
        );
        missed.push(...outcome.missed.map((m) => `${mode}: ${m}`));
      } finally {
        const exits = processes.map((child) => new Promise((resolve) => child.once('exit', resolve)));
        for (const child of processes) child.send({ type: 'stop' });
        await Promise.race([Promise.all(exits), sleep(15_000)]);
        for (const child of processes) if (child.exitCode === null) child.kill('SIGKILL');
        await rm(spoolRoot, { recursive: true, force: true });
      }
    }
    return { missed };
  } finally {
    await db.end().catch(() => undefined);
    await stopSitebox(sitebox.child);
    await database.drop().catch(() => undefined);
  }
}

const COPY_SQL = `COPY status_message (uid, message_id, severity, type, source, site_code, system_name, component, source_time,
                                       received_at, insertion_strings, properties, expires_at) FROM STDIN`;

/** `count` acknowledgement-shaped status_message rows as COPY text, in chunks. */
function* copyRows(count: number, names: string[], messageId: number): Generator<string> {
  const now = new Date().toISOString();
  const expires = new Date(Date.now() + 86_400_000).toISOString();
  let chunk = '';
  for (let i = 0; i < count; i++) {
    const rule = `${SITE}${String((i % 50_000) + 1).padStart(5, '0')}`;
    chunk +=
      `${crypto.randomUUID()}\t${messageId}\tINFORMATIONAL\tDETAIL\tCLIENT\t${SITE}\t${names[i % names.length]}\tBench COPY\t` +
      `${now}\t${now}\t{"${rule}","bench-program"}\t{"MeteringRuleID":"${rule}"}\t${expires}\n`;
    if (chunk.length > 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
