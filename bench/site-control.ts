// site-control: 1,000 site setting changes through the whole change flow.
//
//   DATABASE_URL=postgresql://... npm run bench -- site-control [--changes 1000] [--editors 5]
//
// On a fresh database, starts the Hierarchy Manager and Site Control Manager workers as their
// own processes and lets several administrators edit at once through the real route handler
// (POST /api/site-settings/changes: session, CSRF, zod, provider check, audit). Each editor
// reads the settings, changes one property from the serial it read, and waits for its change to
// be applied, as the console's pending indicator does; one editor also edits properties the
// others own, so some changes collide (409, retried from the new serial). Apply time runs from
// the submit to Hierarchy Manager's commit of APPLIED (the trigger's NOTIFY), when the new serial
// is readable and dependents are told. "lost" counts accepted changes that never applied plus
// settings whose final value differs from replaying every applied change in serial order.
import { spawn, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { NextRequest } from 'next/server';
import { POST as postChange } from '../app/api/site-settings/changes/route';
import { GET as getSettings } from '../app/api/site-settings/route';
import { resetConfig } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { closePool, pool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { seedDemoSite } from '../lib/seed/seed-demo-site';
import { getAt, setAt } from '../lib/sitecontrol/document-paths';
import { deltaEventSchema } from '../lib/sitecontrol/site-control-change.schema';
import type { SiteSettingsView } from '../lib/sitecontrol/site-settings-view';
import { consoleSession, freshDatabase, percentile, sleep } from './support/sitebox-server';
import { channels } from '../lib/db/channels';

const log = (message: string) => process.stderr.write(`[site-control] ${message}\n`);
const option = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

// Properties the editors change, each toggled between two valid values.
const properties: [string, unknown, unknown][] = [
  ['clientAgent.policyPollingMinutes', 60, 30],
  ['clientAgent.softwareMetering', true, false],
  ['clientAgent.clientNotification', true, false],
  ['clientAgent.inventory.enabled', true, false],
  ['clientAgent.inventory.every', 7, 3],
  ['components.notificationServer.keepAliveMinutes', 15, 20],
  ['components.notificationServer.operationValidityMinutes', 60, 90],
  ['components.hierarchyManager.cycleMinutes', 60, 30],
  ['maintenance.deleteAgedStatusMessages.retentionDays', 30, 14],
  ['maintenance.deleteAgedStatusMessages.enabled', true, false],
  ['summarizers.siteSystemStatus.pollingMinutes', 60, 30],
  ['summarizers.componentStatus.informational.criticalAt', 5000, 6000],
  ['summarizers.componentStatus.warning.criticalAt', 50, 60],
  ['summarizers.componentStatus.error.criticalAt', 5, 6],
  ['statusReporting.serverComponents.reportToEventLog', false, true],
  ['statusReporting.clientComponents.reportToEventLog', false, true],
  ['statusReporting.serverComponents.databaseMinimumSeverity', 'INFORMATIONAL', 'WARNING'],
  ['statusReporting.clientComponents.databaseMinimumSeverity', 'INFORMATIONAL', 'WARNING'],
  ['clientApproval.mode', 'automatic', 'manual'],
  ['site.timeZone', 'UTC', 'Europe/Berlin'],
];

export default async function siteControlBench(args: string[]) {
  const target = option(args, 'changes', 1000);
  const editors = option(args, 'editors', 5);
  const db = await freshDatabase('sitebox_bench_site_control');
  const workers: ChildProcess[] = [];
  const listener = new pg.Client({ connectionString: db.url });
  try {
    process.env.DATABASE_URL = db.url;
    resetConfig();
    await migrate({ connectionString: db.url });
    await seedDemoSite({ devices: 0 });
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const session = await consoleSession(admin, 'FULL_ADMINISTRATOR', 'bench-admin');
    await admin.end();
    const headers = { cookie: `${session.cookie}; sitebox_csrf=${session.csrf}`, 'x-csrf-token': session.csrf, 'content-type': 'application/json' };

    // Applied (or refused) changes, as the trigger announces them.
    const settled = new Map<number, { state: string; at: number; serial: number | null }>();
    const waiting = new Map<number, () => void>();
    await listener.connect();
    listener.on('notification', (n) => {
      const event = deltaEventSchema.safeParse(JSON.parse(n.payload ?? '{}'));
      if (!event.success || (event.data.state !== 'APPLIED' && event.data.state !== 'REJECTED')) return;
      settled.set(event.data.id, { state: event.data.state, at: performance.now(), serial: event.data.appliedSerial });
      waiting.get(event.data.id)?.();
    });
    await listener.query(`LISTEN ${channels.siteControlDelta}`);

    for (const name of ['hierarchy-manager', 'site-control-manager']) {
      workers.push(
        spawn(process.execPath, ['--import', 'tsx', 'workers/run.ts', name], {
          env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
          stdio: ['ignore', 'inherit', 'inherit'],
        }),
      );
    }
    for (;;) {
      const { rows } = await pool().query(
        `SELECT count(*)::int n FROM worker_heartbeat WHERE name IN ('hierarchy-manager', 'site-control-manager') AND stopped_at IS NULL`,
      );
      if (rows[0].n === 2) break;
      await sleep(200);
    }
    log(`workers running; ${editors} editors submit ${target} changes`);

    const read = async (): Promise<SiteSettingsView> =>
      (await getSettings(new NextRequest('http://localhost/api/site-settings', { headers }))).json();
    const start = await read();
    const submittedAt = new Map<number, number>();
    const applyMs: number[] = [];
    let accepted = 0;
    let reserved = 0;
    let conflicts = 0;
    let refusedOther = 0;
    const startedAt = performance.now();

    const editor = async (index: number) => {
      // Editor 0 roams over every property (and so collides with the others); the rest own a share.
      const own = index === 0 ? properties : properties.filter((_, i) => i % (editors - 1) === index - 1);
      let turn = 0;
      // A slot is taken before the submit, so exactly `target` changes are accepted.
      while (reserved < target) {
        reserved++;
        const [path, a, b] = own[(turn++ * 7 + index) % own.length];
        const view = await read();
        const value = getAt(view.settings, path) === a ? b : a;
        const t = performance.now();
        const response = await postChange(
          new NextRequest('http://localhost/api/site-settings/changes', {
            method: 'POST',
            headers,
            body: JSON.stringify({ baseSerial: view.serial, changes: { [path]: value } }),
          }),
        );
        const body = await response.json();
        if (response.status !== 202) {
          reserved--;
          if (response.status === 409) conflicts++;
          else {
            refusedOther++;
            log(`unexpected ${response.status}: ${JSON.stringify(body)}`);
          }
          continue;
        }
        accepted++;
        const id: number = body.change.id;
        submittedAt.set(id, t);
        if (!settled.has(id)) {
          await Promise.race([new Promise<void>((resolve) => waiting.set(id, resolve)), sleep(30_000)]);
          waiting.delete(id);
        }
        const done = settled.get(id);
        if (done?.state === 'APPLIED') applyMs.push(done.at - t);
      }
    };
    await Promise.all(Array.from({ length: editors }, (_, i) => editor(i)));
    const elapsedMs = performance.now() - startedAt;

    // Lost: accepted and never applied, or a final value that replaying the applied changes does not give.
    const { rows: deltas } = await pool().query(
      `SELECT id, state, applied_serial, changes FROM site_control_delta ORDER BY applied_serial NULLS LAST, id`,
    );
    const notApplied = deltas.filter((d) => submittedAt.has(d.id) && d.state !== 'APPLIED').length;
    let expected: unknown = start.settings;
    for (const d of deltas.filter((x) => x.state === 'APPLIED'))
      for (const [path, value] of Object.entries(d.changes)) expected = setAt(expected, path, value);
    const { rows: steps } = await pool().query(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM queued_at - submitted_at)) * 1000 AS handoff,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM merged_at - queued_at)) * 1000 AS merge,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM applied_at - merged_at)) * 1000 AS apply
         FROM site_control_delta WHERE state = 'APPLIED'`,
    );
    log(
      `median step times (ms): hand-off ${Number(steps[0].handoff).toFixed(1)}, merge ${Number(steps[0].merge).toFixed(1)}, apply ${Number(steps[0].apply).toFixed(1)}`,
    );
    const final = await read();
    const differing = properties.filter(([path]) => getAt(final.settings, path) !== getAt(expected, path)).length;
    const serialGaps = final.serial - start.serial - deltas.filter((d) => d.state === 'APPLIED').length;
    log(
      `${accepted} accepted, ${conflicts} refused as conflicts (retried), ${refusedOther} other refusals; serial ${start.serial} → ${final.serial}; ` +
        `${notApplied} not applied, ${differing} settings differ from the replay, ${serialGaps} serials unaccounted for; ${Math.round(elapsedMs)} ms`,
    );
    console.log(
      JSON.stringify({
        scenario: 'site-control',
        changes: accepted,
        lost: notApplied + differing + Math.abs(serialGaps),
        applyP50Ms: Math.round(percentile(applyMs, 50) * 10) / 10,
        applyP99Ms: Math.round(percentile(applyMs, 99) * 10) / 10,
        conflicts,
        editors,
        changesPerSecond: Math.round((accepted / elapsedMs) * 1000 * 10) / 10,
      }),
    );
  } finally {
    await listener.end().catch(() => undefined);
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.filter((w) => w.exitCode === null).map((w) => new Promise((r) => w.once('exit', r))));
    await Promise.all([closePool(), closePrisma()]);
    await db.drop();
  }
}
