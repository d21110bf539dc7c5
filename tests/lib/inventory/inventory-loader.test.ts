// The inventory loader on a real database: reports go in through the management point's own
// acceptance, the loader drains the inbox, and the tests read what the site database holds.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { pool } from '@/lib/db/pool';
import { acceptInventoryReport } from '@/lib/inventory/accept-inventory-report';
import { drainInventoryInbox, startInventoryLoader } from '@/lib/inventory/inventory-loader';
import { insertInboxRow } from '@/lib/inventory/loader-repo';
import { requeueInventoryReport } from '@/lib/inventory/requeue-inventory-report';
import { inventoryReportSchema } from '@/lib/protocol/inventory.schema';
import { useTestDatabase } from '../../support/database';

const log = pino({ level: 'silent' });
const ids: Record<string, number> = {};
let databaseUrl = '';
type Row = [string, string, string, string | null] | [string, string, string, string | null, 'snap'];

const hardware = (freeBytes: number) => ({
  system: [{ manufacturer: 'Contoso', model: 'Surface 9', serial: 'SN-0042' }],
  memory: [{ total: 16 * 1024 ** 3 }],
  fileSystem: [
    { mount: '/boot', size: 1e9, available: 5e8 },
    { mount: '/', size: 100 * 1024 ** 3, available: freeBytes },
  ],
  operatingSystem: [{ distro: 'Debian GNU/Linux', release: '12' }],
});
const full = (device: string, version: number, packages: Row[], free = 40 * 1024 ** 3) => ({
  kind: 'full' as const,
  reportId: randomUUID(),
  deviceId: ids[device],
  version,
  collectedAt: new Date(Date.now() - 60_000).toISOString(),
  hardware: hardware(free),
  software: { source: 'dpkg', packages },
});
const delta = (
  device: string,
  baseVersion: number,
  version: number,
  changes: { added?: Row[]; removed?: [string, string, string][]; hardware?: object },
) => ({
  kind: 'delta' as const,
  reportId: randomUUID(),
  deviceId: ids[device],
  version,
  baseVersion,
  collectedAt: new Date().toISOString(),
  ...(changes.hardware ? { hardware: changes.hardware } : {}),
  software: { source: 'dpkg', added: changes.added ?? [], removed: changes.removed ?? [] },
});

async function send<T extends { deviceId: number; reportId: string }>(report: T): Promise<T> {
  const result = await acceptInventoryReport({ device: { id: report.deviceId }, body: gzipSync(JSON.stringify(report)), contentEncoding: 'gzip' });
  expect(result.status).toBe(202);
  return report;
}
const drain = () => drainInventoryInbox({ db: pool(), log, limits: { maxReports: 50, maxBytes: 1024 * 1024 } });

async function software(device: string) {
  const { rows } = await pool().query<{ p: string }>(
    `SELECT p.name || ' ' || p.version || ' ' || p.arch || coalesce(' ' || s.installed_on::text, '') AS p
       FROM device_software s JOIN software_product p ON p.id = s.product_id WHERE s.device_id = $1 ORDER BY 1`,
    [ids[device]],
  );
  return rows.map((r) => r.p);
}
async function device(name: string) {
  const { rows } = await pool().query(
    `SELECT manufacturer, model, serial_number, memory_mb, disk_free_mb, os_name, os_version, inventory_version, inventory_resync,
            last_hw_inventory_at, last_sw_inventory_at FROM device WHERE id = $1`,
    [ids[name]],
  );
  return rows[0] as Record<string, unknown>;
}
async function history(name: string) {
  const { rows } = await pool().query<{ kind: string; version: number; changes: unknown; software_count: number }>(
    `SELECT kind::text, version, changes, software_count FROM inventory_report WHERE device_id = $1 ORDER BY id`,
    [ids[name]],
  );
  return rows;
}
async function reportedMessageIds(): Promise<number[]> {
  const { rows } = await pool().query<{ id: number }>(
    `SELECT (m->>'messageId')::int AS id FROM status_inbox, json_array_elements(messages::json) m ORDER BY status_inbox.id`,
  );
  return rows.map((r) => r.id);
}

describe('inventory loader', () => {
  beforeAll(async () => {
    databaseUrl = (await useTestDatabase()).url;
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    const { rows } = await pool().query<{ id: number; name: string }>(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT 1, n, 'Linux', '0', 'WORKSTATION', 'APPROVED', now() FROM unnest(ARRAY['A', 'B', 'C', 'D', 'E', 'F']) n RETURNING id, name`,
    );
    for (const r of rows) ids[r.name] = r.id;
  });

  it('loads a full report as the baseline, then a delta: rows added, removed and upgraded, hardware changed, history kept', async () => {
    await send(
      full('A', 1, [
        ['bash', '5.2.15-2', 'amd64', '2024-01-02'],
        ['curl', '7.88.1-10', 'amd64', null],
        ['vim', '9.0.1378-2', 'amd64', '2024-03-01'],
        ['openssl', '3.0.11-1', 'amd64', null],
        ['openssl', '3.0.11-1', 'amd64', null], // listed twice: stored once
      ]),
    );
    expect(await drain()).toMatchObject({ loaded: 1, full: 1, softwareRows: 4, quarantined: 0 });
    expect(await software('A')).toEqual([
      'bash 5.2.15-2 amd64 2024-01-02',
      'curl 7.88.1-10 amd64',
      'openssl 3.0.11-1 amd64',
      'vim 9.0.1378-2 amd64 2024-03-01',
    ]);
    expect(await device('A')).toMatchObject({
      manufacturer: 'Contoso',
      model: 'Surface 9',
      serial_number: 'SN-0042',
      memory_mb: 16384,
      disk_free_mb: 40960,
      os_name: 'Debian GNU/Linux',
      os_version: '12',
      inventory_version: 1,
      inventory_resync: false,
      last_hw_inventory_at: expect.any(Date),
      last_sw_inventory_at: expect.any(Date),
    });
    expect(await history('A')).toEqual([
      { kind: 'FULL', version: 1, software_count: 4, changes: { baseline: true, hardware: [], software: { added: [], removed: [], upgraded: [] } } },
    ]);

    await send(
      delta('A', 1, 2, {
        removed: [
          ['vim', '9.0.1378-2', 'amd64'],
          ['openssl', '3.0.11-1', 'amd64'],
        ],
        added: [
          ['htop', '3.2.2-2', 'amd64', '2024-05-05'],
          ['openssl', '3.0.13-1', 'amd64', '2024-05-05'],
        ],
        hardware: { fileSystem: hardware(10 * 1024 ** 3).fileSystem },
      }),
    );
    expect(await drain()).toMatchObject({ loaded: 1, delta: 1, refused: 0 });
    expect(await software('A')).toEqual([
      'bash 5.2.15-2 amd64 2024-01-02',
      'curl 7.88.1-10 amd64',
      'htop 3.2.2-2 amd64 2024-05-05',
      'openssl 3.0.13-1 amd64 2024-05-05',
    ]);
    expect(await device('A')).toMatchObject({ disk_free_mb: 10240, memory_mb: 16384, manufacturer: 'Contoso', inventory_version: 2 });
    expect((await history('A'))[1]).toEqual({
      kind: 'DELTA',
      version: 2,
      software_count: 4,
      changes: {
        baseline: false,
        hardware: [{ className: 'fileSystem', change: 'changed', before: 2, after: 2 }],
        software: {
          added: [{ name: 'htop', version: '3.2.2-2', arch: 'amd64' }],
          removed: [{ name: 'vim', version: '9.0.1378-2', arch: 'amd64' }],
          upgraded: [{ name: 'openssl', arch: 'amd64', from: '3.0.11-1', to: '3.0.13-1' }],
        },
      },
    });
  });

  it('stores snaps beside the packages of the report’s own source, each product with the manager it came from', async () => {
    await send(
      full('D', 1, [
        ['bash', '5.2.15-2', 'amd64', null],
        ['firefox', '1:1snap1-0ubuntu5', 'amd64', null],
        ['firefox', '128.0.3-1', 'amd64', '2026-11-30', 'snap'],
        ['pycharm-professional', '2024.3', 'amd64', '2026-10-01', 'snap'],
      ]),
    );
    expect(await drain()).toMatchObject({ loaded: 1, full: 1, softwareRows: 4, quarantined: 0 });
    await send(
      delta('D', 1, 2, {
        removed: [['firefox', '128.0.3-1', 'amd64']],
        added: [['firefox', '129.0-1', 'amd64', '2026-12-06', 'snap']],
      }),
    );
    expect(await drain()).toMatchObject({ loaded: 1, delta: 1, refused: 0 });
    const { rows } = await pool().query<{ p: string }>(
      `SELECT p.name || ' ' || p.version || ' ' || p.source AS p
         FROM device_software s JOIN software_product p ON p.id = s.product_id WHERE s.device_id = $1 ORDER BY 1`,
      [ids.D],
    );
    expect(rows.map((r) => r.p)).toEqual([
      'bash 5.2.15-2 dpkg',
      'firefox 129.0-1 snap',
      'firefox 1:1snap1-0ubuntu5 dpkg',
      'pycharm-professional 2024.3 snap',
    ]);
    expect(((await history('D'))[1].changes as { software: unknown }).software).toEqual({
      added: [],
      removed: [],
      upgraded: [{ name: 'firefox', arch: 'amd64', from: '128.0.3-1', to: '129.0-1' }],
    });

    // A source the protocol does not know is refused, naming the field.
    const bad = full('D', 3, [['code', '1.95', 'amd64', null, 'flatpak' as 'snap']]);
    await expect(
      acceptInventoryReport({ device: { id: ids.D }, body: gzipSync(JSON.stringify(bad)), contentEncoding: 'gzip' }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      userMessage: `software.packages.0.4: must be "snap", or left out for the report's own source`,
    });
  });

  it('a full report after the baseline records its differences from what the site held', async () => {
    await send(
      full('A', 3, [
        ['bash', '5.2.15-2', 'amd64', '2024-01-02'],
        ['curl', '8.0.0-1', 'amd64', null],
        ['htop', '3.2.2-2', 'amd64', '2024-05-05'],
        ['openssl', '3.0.13-1', 'amd64', '2024-05-05'],
        ['zsh', '5.9-4', 'amd64', null],
      ]),
    );
    expect(await drain()).toMatchObject({ loaded: 1, full: 1 });
    expect((await history('A'))[2]).toMatchObject({
      kind: 'FULL',
      version: 3,
      software_count: 5,
      changes: {
        baseline: false,
        hardware: [{ className: 'fileSystem', change: 'changed', before: 2, after: 2 }],
        software: {
          added: [{ name: 'zsh', version: '5.9-4', arch: 'amd64' }],
          removed: [],
          upgraded: [{ name: 'curl', arch: 'amd64', from: '7.88.1-10', to: '8.0.0-1' }],
        },
      },
    });
  });

  it('sets a poison report aside while the next one loads, and a delta on a report that never loaded asks for a resync', async () => {
    await send(full('B', 1, [['bash', '5.2.15-2', 'amd64', null]]));
    await drain();
    const before = await reportedMessageIds();
    // A rule of this database the wire schema does not know (as a constraint an administrator
    // added might be): the report passes validation, the COPY of its batch fails.
    await pool().query(`ALTER TABLE device_software ADD CONSTRAINT installed_after_1900 CHECK (installed_on IS NULL OR installed_on > '1900-01-01')`);
    const poison = await send(delta('B', 1, 2, { added: [['ancient', '1.0', 'all', '1800-01-01']] }));
    await send(full('C', 1, [['bash', '5.2.15-2', 'amd64', null]]));
    const next = await send(delta('B', 2, 3, { added: [['nano', '7.2-1', 'amd64', null]] }));
    // Not gzip at all: unreadable, set aside before the batch is written.
    const unreadable = randomUUID();
    await insertInboxRow(pool(), {
      deviceId: ids.C,
      reportId: unreadable,
      kind: 'FULL',
      version: 9,
      baseVersion: null,
      body: Buffer.from('garbage'),
    });

    const drained = await drain();
    await pool().query(`ALTER TABLE device_software DROP CONSTRAINT installed_after_1900`);
    expect(drained).toMatchObject({ loaded: 1, full: 1, refused: 1, quarantined: 2 });
    const { rows: quarantined } = await pool().query(`SELECT source, item_key, error_code FROM quarantined_item ORDER BY item_key = $1`, [
      unreadable,
    ]);
    expect(quarantined).toEqual([
      { source: 'inventory-loader.inbox', item_key: poison.reportId, error_code: '23514' },
      { source: 'inventory-loader.inbox', item_key: unreadable, error_code: null },
    ]);
    expect(await software('C')).toEqual(['bash 5.2.15-2 amd64']);
    expect(await software('B')).toEqual(['bash 5.2.15-2 amd64']);
    expect(await device('B')).toMatchObject({ inventory_version: 1, inventory_resync: true });
    expect((await history('B')).map((h) => h.version)).toEqual([1]);
    expect((await pool().query(`SELECT count(*)::int AS n FROM inventory_inbox`)).rows[0].n).toBe(0);
    // Two Error messages (quarantine) and a Warning (the refused delta) from the loader.
    expect(
      (await reportedMessageIds())
        .slice(before.length)
        .filter((id) => id !== 2700)
        .sort(),
    ).toEqual([2710, 4660, 4660]);
    expect(await pool().query(`SELECT 1 FROM inventory_report WHERE report_id = $1`, [next.reportId])).toMatchObject({ rowCount: 0 });

    // The management point now refuses deltas until a full report arrives; then the flag clears.
    const refused = await acceptInventoryReport({
      device: { id: ids.B },
      body: Buffer.from(JSON.stringify(delta('B', 1, 4, {}))),
      contentEncoding: null,
    });
    expect(refused).toMatchObject({ status: 409, answer: { status: 'resync', siteVersion: 1 } });
    await send(full('B', 5, [['bash', '5.2.15-2', 'amd64', null]]));
    await drain();
    expect(await device('B')).toMatchObject({ inventory_version: 5, inventory_resync: false });
  });

  it('loading the same reports again changes nothing', async () => {
    const report = await send(full('C', 2, [['curl', '8.0.0-1', 'amd64', null]]));
    await drain();
    const state = { software: await software('C'), device: await device('C'), history: await history('C') };
    // The same report back in the inbox, as if its batch ran a second time.
    await insertInboxRow(pool(), {
      deviceId: ids.C,
      reportId: report.reportId,
      kind: 'FULL',
      version: 2,
      baseVersion: null,
      body: gzipSync(JSON.stringify(report)),
    });
    expect(await drain()).toMatchObject({ loaded: 0, skipped: 1 });
    expect({ software: await software('C'), device: await device('C'), history: await history('C') }).toEqual(state);
    // And the management point answers its resend as a duplicate.
    expect(await acceptInventoryReport({ device: { id: ids.C }, body: Buffer.from(JSON.stringify(report)), contentEncoding: null })).toMatchObject({
      status: 200,
      answer: { status: 'duplicate', version: 2 },
    });
  });

  it('a full report without the system, memory or file system class leaves their device columns unknown, as a delta removing them does', async () => {
    await send(full('E', 1, []));
    await drain();
    expect(await device('E')).toMatchObject({ manufacturer: 'Contoso', memory_mb: 16384, disk_free_mb: 40960 });
    await send({ ...full('E', 2, []), hardware: { operatingSystem: [{ distro: 'Debian GNU/Linux', release: '13' }] } });
    await drain();
    expect(await device('E')).toMatchObject({
      manufacturer: null,
      model: null,
      serial_number: null,
      memory_mb: null,
      disk_free_mb: null,
      os_name: 'Debian GNU/Linux',
      os_version: '13',
      inventory_version: 2,
    });
  });

  it('a report older than the one loaded, retried from quarantine, is skipped instead of rolling the inventory back', async () => {
    const older = { ...full('F', 1, [['bash', '5.2.15-2', 'amd64', null]]), collectedAt: new Date(Date.now() - 3_600_000).toISOString() };
    await send(full('F', 2, [['curl', '8.0.0-1', 'amd64', null]]));
    await drain();
    const state = { software: await software('F'), device: await device('F'), history: await history('F') };
    const client = await pool().connect();
    try {
      await requeueInventoryReport(inventoryReportSchema.parse(older), client);
    } finally {
      client.release();
    }
    expect(await drain()).toMatchObject({ loaded: 0, skipped: 1 });
    expect({ software: await software('F'), device: await device('F'), history: await history('F') }).toEqual(state);
  });

  it('drains a long inbox batch after batch in id order, when ids change their number of digits', async () => {
    const { rows } = await pool().query<{ id: number }>(
      `INSERT INTO device (site_id, name, os_name, os_version, os_kind, approval, updated_at)
       SELECT 1, 'D' || g, 'Linux', '0', 'WORKSTATION', 'APPROVED', now() FROM generate_series(1, 12) g RETURNING id`,
    );
    // Ids 96 to 107: read as text, "100" sorts before "96".
    await pool().query(`SELECT setval('inventory_inbox_id_seq', 95)`);
    for (const { id } of rows) {
      ids[`D${id}`] = id;
      await send(full(`D${id}`, 1, [['bash', '5.2.15-2', 'amd64', null]]));
    }
    expect(await drainInventoryInbox({ db: pool(), log, limits: { maxReports: 4, maxBytes: 1024 * 1024 } })).toMatchObject({ loaded: 12 });
    expect((await pool().query(`SELECT count(*)::int AS n FROM inventory_inbox`)).rows[0].n).toBe(0);
  });

  it('the running loader wakes on the notification a management point sends, without waiting for its poll', async () => {
    const controller = new AbortController();
    // A poll far longer than the test: only the NOTIFY can wake it in time.
    const loader = startInventoryLoader({ db: pool(), connectionString: databaseUrl, log, signal: controller.signal, pollMs: 3_600_000 });
    try {
      await loader.listening;
      const report = await send(full('B', 6, [['nano', '7.2-1', 'amd64', null]]));
      for (let i = 0; i < 200; i++) {
        if ((await pool().query(`SELECT 1 FROM inventory_report WHERE report_id = $1`, [report.reportId])).rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await software('B')).toEqual(['nano 7.2-1 amd64']);
    } finally {
      controller.abort();
      await loader.stop();
    }
  });

  it('polls an empty inbox with one short read on one connection, so the spare connections of an idle site can close', async () => {
    await drain();
    const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
    try {
      let mostAtOnce = 0;
      db.on('acquire', () => (mostAtOnce = Math.max(mostAtOnce, db.totalCount - db.idleCount)));
      for (let i = 0; i < 3; i++) expect(await drainInventoryInbox({ db, log })).toMatchObject({ loaded: 0 });
      expect(mostAtOnce).toBe(1);
      expect(db.totalCount).toBe(1);
      // With a report waiting, the loader still takes its lock and loads it.
      const report = await send(full('C', 1, [['vim', '9.0-1', 'amd64', null]]));
      expect(await drainInventoryInbox({ db, log })).toMatchObject({ loaded: 1 });
      expect((await pool().query(`SELECT 1 FROM inventory_report WHERE report_id = $1`, [report.reportId])).rowCount).toBe(1);
    } finally {
      await db.end();
    }
  });
});
