import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportAudit } from '@/lib/audit/report-audit';
import { resetConfig } from '@/lib/config';
import { pool } from '@/lib/db/pool';
import { demoDevices } from '@/lib/seed/demo-devices';
import { retireDemoPlaceholders } from '@/lib/seed/retire-demo-placeholders';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { registerThisServer } from '@/lib/sites/register-this-server';
import { serverProcessComponents, thisServerComponents, thisServerRoles, workerComponents } from '@/lib/sites/server-components';
import { startComponentLifeCycle } from '@/lib/reporting/component-life-cycle';
import { processStatusBatch, type StatusManagerEffects } from '@/lib/status/process-status-batch';
import { loadFilterRules } from '@/lib/status/repo';
import { reportServerMessage } from '@/lib/reporting/report-server-message';
import { readComponentStatus } from '@/lib/summarizers/read-component-status';
import { readSiteStatus } from '@/lib/summarizers/read-site-status';
import { readSiteSystemStatus } from '@/lib/summarizers/read-site-system-status';
import { localStorageMessages } from '@/lib/summarizers/report-site-system-status';
import { createStatusSummarizers } from '@/lib/summarizers/status-summarizers';
import { useTestDatabase } from '../../support/database';

const SERVER = 'sitebox01.corp.example.com';
const log = pino({ level: 'silent' });
const allWorkers = Object.keys(workerComponents);

/** Status Manager's work: everything in the inbox through the seeded filter rules and the summarizers. */
async function drainInbox() {
  const effects: StatusManagerEffects = {
    summarizers: createStatusSummarizers({ db: pool(), log }),
    eventLog: () => {},
    programs: { run: () => {} },
    replicationEnabled: false,
  };
  await processStatusBatch({ db: pool(), rules: await loadFilterRules(pool()), effects, maxBatches: 1000, log });
}

/** Runs the enclosing block as the server SERVER, on a database of its own. */
function runAsServerOnItsOwnDatabase() {
  beforeAll(async () => {
    process.env.SITEBOX_SERVER_NAME = SERVER;
    resetConfig();
    await useTestDatabase();
  });
  afterAll(() => {
    delete process.env.SITEBOX_SERVER_NAME;
    resetConfig();
  });
}

describe('demoDevices', () => {
  it('is deterministic and gives unique names', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const a = demoDevices({ count: 2000, now });
    expect(demoDevices({ count: 2000, now })).toEqual(a);
    expect(new Set(a.map((d) => d.name)).size).toBe(2000);
    const servers = a.filter((d) => d.osKind === 'SERVER').length;
    expect(servers / a.length).toBeGreaterThan(0.1);
    expect(servers / a.length).toBeLessThan(0.2);
  });
});

describe('seedDemoSite', () => {
  runAsServerOnItsOwnDatabase();

  it('creates the demo site once, with this server as its site server, devices, collections, rules and thresholds', async () => {
    const db = pool();
    expect(await seedDemoSite({ devices: 500 })).toEqual({ created: true, devices: 500 });
    const count = async (sql: string) => Number((await db.query(sql)).rows[0].n);
    expect(await count(`SELECT count(*) n FROM site WHERE code = 'S01' AND name = 'Central'`)).toBe(1);
    expect(await count(`SELECT count(*) n FROM device`)).toBe(500);
    expect(await count(`SELECT count(*) n FROM status_filter_rule`)).toBeGreaterThan(0);
    expect(await count(`SELECT count(*) n FROM summarizer_threshold`)).toBe(3);

    // One site system: this server, by SITEBOX_SERVER_NAME, with what it runs — nothing made up.
    const systems = await readSiteSystemStatus({ site: 'S01' });
    // Tests run on DATABASE_URL's server: not a site database server of its own.
    expect(systems.siteSystems.map((s) => [s.name, [...s.roles].sort()])).toEqual([[SERVER, ['MANAGEMENT_POINT', 'SITE_SERVER']]]);
    expect(thisServerRoles({ embedded: true }).sort()).toEqual(['MANAGEMENT_POINT', 'SITE_DATABASE_SERVER', 'SITE_SERVER']);
    const components = (await db.query(`SELECT name, state FROM component ORDER BY name`)).rows;
    expect(components.map((c) => c.name)).toEqual([...thisServerComponents(allWorkers)].sort());
    // Nothing has reported yet: no component claims to be running before it says so.
    expect(new Set(components.map((c) => c.state))).toEqual(new Set(['UNKNOWN']));

    const members = (await db.query(`SELECT name, member_count FROM collection`)).rows;
    const byName = Object.fromEntries(members.map((r) => [r.name, r.member_count]));
    expect(byName['All Systems']).toBe(500);
    expect(byName['All Servers'] + byName['All Workstations']).toBe(500);
    expect(byName['All Servers']).toBe(await count(`SELECT count(*) n FROM device WHERE os_kind = 'SERVER'`));
  });

  it('with the server’s own reports, shows one site server whose components all run, and the site green', async () => {
    // What a fresh start sends: each process's components started, the provider's audit of a
    // sign-in, the Site System Status Summarizer's storage objects.
    for (const components of [serverProcessComponents, ...Object.values(workerComponents)]) {
      await startComponentLifeCycle({ components, log }).started;
    }
    await reportAudit({ kind: 'signedIn', userName: 'admin', address: '127.0.0.1', objectType: 'ConsoleUser', objectName: 'admin' });
    await reportServerMessage({ messages: await localStorageMessages({ paths: ['/'] }) });
    await drainInbox();

    const systems = await readSiteSystemStatus({ site: 'S01' });
    expect(systems.siteSystems.map((s) => [s.name, s.reporting])).toEqual([[SERVER, 'OK']]);
    expect(systems.siteSystems[0].storage.map((o) => o.name)).toEqual(['/']);

    const view = await readComponentStatus({ query: { site: 'S01' } });
    expect(view.components.length).toBe(thisServerComponents(allWorkers).length);
    for (const c of view.components) {
      expect({ system: c.systemName, component: c.component, state: c.state, availability: c.availability }).toEqual({
        system: SERVER,
        component: c.component,
        state: 'STARTED',
        availability: 'ONLINE',
      });
    }
    const [site] = (await readSiteStatus({})).sites;
    expect(site).toMatchObject({ code: 'S01', colour: 'green', siteSystems: { ok: 1, warning: 0, critical: 0 } });
  });

  it('touches nothing on the next start, even after an administrator deleted devices', async () => {
    const db = pool();
    await db.query(`DELETE FROM device WHERE name LIKE 'NYC-%'`);
    const left = Number((await db.query(`SELECT count(*) n FROM device`)).rows[0].n);
    expect(await seedDemoSite({ devices: 500 })).toEqual({ created: false, devices: 0 });
    expect(Number((await db.query(`SELECT count(*) n FROM device`)).rows[0].n)).toBe(left);
  });

  it('refuses to set up a second site in this database when started under another site code, naming SITEBOX_SITE_CODE', async () => {
    process.env.SITEBOX_SITE_CODE = 'P01';
    resetConfig();
    try {
      await expect(seedDemoSite({ devices: 10 })).rejects.toThrow(/SITEBOX_SITE_CODE: this database serves site S01 \("Central"\), not P01/);
      expect((await pool().query(`SELECT code FROM site ORDER BY id`)).rows).toEqual([{ code: 'S01' }]);
    } finally {
      delete process.env.SITEBOX_SITE_CODE;
      resetConfig();
    }
  });
});

describe('registerThisServer on a database an earlier version seeded', () => {
  runAsServerOnItsOwnDatabase();

  it('makes this server the site server and retires the made-up systems that never reported', async () => {
    const db = pool();
    // As earlier seeds left it: placeholders that never reported, and this server beside them,
    // registered by its own reports with no role.
    await db.query(`INSERT INTO site (code, name, time_zone, updated_at) VALUES ('S01', 'Central', 'America/New_York', now())`);
    await db.query(
      `INSERT INTO site_system (site_id, name, last_reported_at, credential_hash, updated_at)
       SELECT s.id, t.name, t.reported, t.credential, now() FROM site s,
              (VALUES ('S01-SS01.corp.example.com', NULL::timestamptz, NULL), ('S01-MP01.corp.example.com', NULL, NULL),
                      ('S01-MP02.corp.example.com', NULL, 'issued'), ($1, now(), NULL)) AS t(name, reported, credential)`,
      [SERVER],
    );
    await db.query(
      `INSERT INTO site_system_role (site_system_id, role) SELECT id, 'SITE_SERVER' FROM site_system WHERE name = 'S01-SS01.corp.example.com'`,
    );
    await db.query(`INSERT INTO component (site_system_id, name, state, availability, updated_at)
                    SELECT id, 'SMS_STATUS_MANAGER', 'STARTED', 'ONLINE', now() FROM site_system`);
    await db.query(
      `INSERT INTO component_summary (component_id, interval_start, info_count, warning_count, error_count, last_message_at)
                    SELECT c.id, now(), 3, 0, 0, now() FROM component c JOIN site_system ss ON ss.id = c.site_system_id WHERE ss.name = $1`,
      [SERVER],
    );

    const result = await registerThisServer({ workers: ['status-manager'], retirePlaceholders: retireDemoPlaceholders });
    // S01-MP02 holds a credential someone issued: it may be a real system, so it stays.
    expect(result).toEqual({ registered: true, retired: ['S01-MP01.corp.example.com', 'S01-SS01.corp.example.com'] });
    const systems = (await readSiteSystemStatus({ site: 'S01' })).siteSystems;
    expect(systems.map((s) => [s.name, [...s.roles].sort()])).toEqual([
      ['S01-MP02.corp.example.com', []],
      [SERVER, ['MANAGEMENT_POINT', 'SITE_SERVER']],
    ]);
    // What this server reported is kept; its missing components are added, not yet reported.
    const own = (await readComponentStatus({ query: { site: 'S01' }, systemName: SERVER })).components;
    expect(own.find((c) => c.component === 'SMS_STATUS_MANAGER')).toMatchObject({ state: 'STARTED', counts: { informational: 3 } });
    expect(own.map((c) => c.component).sort()).toEqual(thisServerComponents(['status-manager']).sort());

    // Idempotent: the next start finds nothing to do.
    expect(await registerThisServer({ workers: ['status-manager'], retirePlaceholders: retireDemoPlaceholders })).toEqual({
      registered: true,
      retired: [],
    });
  });
});
