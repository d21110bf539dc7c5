// The management point's inventory, heartbeat and policy endpoints over real HTTP, on a real
// database: inventory and heartbeat both as Next.js routes and as the lean endpoints server.ts serves.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as heartbeatRoute } from '@/app/api/mp/heartbeat/route';
import { POST as inventoryRoute } from '@/app/api/mp/inventory/route';
import { GET as policyRoute } from '@/app/api/mp/policy/route';
import { pool } from '@/lib/db/pool';
import { MAX_INVENTORY_BYTES } from '@/lib/protocol/inventory.schema';
import { approvedDevices, startLeanUploads } from '../../support/approved-devices';
import { useTestDatabase } from '../../support/database';
import { RouteServer } from '../../lib/status/serve-route';

const server = new RouteServer({
  '/api/mp/inventory': (req) => inventoryRoute(req),
  '/api/mp/heartbeat': (req) => heartbeatRoute(req),
  '/api/mp/policy': (req) => policyRoute(req),
});
let lean: Awaited<ReturnType<typeof startLeanUploads>>;
let leanUrl = '';
const auth: Record<string, string> = {};
const ids: Record<string, number> = {};

function fullReport(deviceId: number, version = 1) {
  return {
    kind: 'full',
    reportId: randomUUID(),
    deviceId,
    version,
    collectedAt: new Date().toISOString(),
    hardware: { system: [{ manufacturer: 'Contoso', model: 'M1', serialNumber: 'SN1' }] },
    software: {
      source: 'dpkg',
      packages: [
        ['bash', '5.2.15-2', 'amd64', '2024-01-02'],
        ['openssl', '3.0.11-1', 'amd64', null],
      ],
    },
  };
}

async function post(base: string, path: string, body: unknown, options: { device: string; gzip?: boolean; raw?: Buffer }) {
  const json = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const payload = options.raw ?? (options.gzip ? gzipSync(json) : json);
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: auth[options.device],
      ...(options.gzip || options.raw ? { 'content-encoding': 'gzip' } : {}),
    },
    body: new Uint8Array(payload),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
}
/** A heartbeat discovery record of a workstation with these addresses. */
const heartbeatRecord = (deviceId: number, name: string, ipAddresses: string[]) => ({
  deviceId,
  name,
  domain: null,
  fqdn: null,
  ipAddresses,
  macAddresses: [],
  osName: 'Ubuntu',
  osVersion: '24.04',
  osKind: 'WORKSTATION',
  agentVersion: '1.2.3',
  sentAt: new Date().toISOString(),
});

const inbox = async (deviceId: number) =>
  (
    await pool().query<{ version: number; kind: string }>(`SELECT version, kind::text FROM inventory_inbox WHERE device_id = $1 ORDER BY id`, [
      deviceId,
    ])
  ).rows;

describe('management point: inventory, heartbeat discovery and policy activity', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    Object.assign(auth, (await approvedDevices(['WKS1', 'WKS2', 'LEAN1', 'LEAN2'])).auth);
    for (const name of Object.keys(auth)) ids[name] = Number(/^Device (\d+)\./.exec(auth[name])![1]);
    await server.start();
    lean = await startLeanUploads();
    leanUrl = lean.url;
  });
  afterAll(async () => {
    await server.stop();
    await lean.stop();
  });

  describe.each([
    { via: 'the Next.js routes', devices: ['WKS1', 'WKS2'], base: () => server.url },
    { via: 'the lean endpoints', devices: ['LEAN1', 'LEAN2'], base: () => leanUrl },
  ])('through $via', ({ devices: [A, B], base }) => {
    it('accepts a full report (202), answers its resend as a duplicate (200) and stores it once', async () => {
      const report = fullReport(ids[A]);
      expect(await post(base(), '/api/mp/inventory', report, { device: A })).toEqual({ status: 202, json: { status: 'accepted', version: 1 } });
      expect(await post(base(), '/api/mp/inventory', report, { device: A })).toEqual({ status: 200, json: { status: 'duplicate', version: 1 } });
      expect(await inbox(ids[A])).toEqual([{ version: 1, kind: 'FULL' }]);
    });

    it('takes a delta on the newest accepted version and refuses one on another base with 409', async () => {
      const delta = (baseVersion: number, version: number) => ({
        kind: 'delta',
        reportId: randomUUID(),
        deviceId: ids[A],
        version,
        baseVersion,
        collectedAt: new Date().toISOString(),
        software: { source: 'dpkg', added: [['curl', '7.88.1-10', 'amd64', null]], removed: [] },
      });
      expect(await post(base(), '/api/mp/inventory', delta(1, 2), { device: A })).toEqual({ status: 202, json: { status: 'accepted', version: 2 } });
      const stale = await post(base(), '/api/mp/inventory', delta(1, 3), { device: A });
      expect(stale.status).toBe(409);
      expect(stale.json).toMatchObject({ status: 'resync', siteVersion: 2 });
      expect(await inbox(ids[A])).toEqual([
        { version: 1, kind: 'FULL' },
        { version: 2, kind: 'DELTA' },
      ]);
    });

    it('accepts a gzip body, and stores every body gzip-compressed', async () => {
      const report = fullReport(ids[B], 4);
      expect(await post(base(), '/api/mp/inventory', report, { device: B, gzip: true })).toEqual({
        status: 202,
        json: { status: 'accepted', version: 4 },
      });
      const { rows } = await pool().query<{ body: Buffer }>(`SELECT body FROM inventory_inbox WHERE device_id = $1`, [ids[B]]);
      expect(rows.map((r) => r.body.subarray(0, 2).toString('hex'))).toEqual(['1f8b']);
    });

    it('refuses a report over the size limit, plain or as a gzip bomb, with 413', async () => {
      const before = await inbox(ids[B]);
      const big = JSON.stringify({ ...fullReport(ids[B]), padding: 'x'.repeat(MAX_INVENTORY_BYTES) });
      expect((await post(base(), '/api/mp/inventory', big, { device: B })).status).toBe(413);
      // A few kilobytes that decompress past the limit.
      const bomb = gzipSync(Buffer.alloc(MAX_INVENTORY_BYTES + 1024, 0x20));
      expect(bomb.byteLength).toBeLessThan(64 * 1024);
      const refused = await post(base(), '/api/mp/inventory', '', { device: B, raw: bomb });
      expect(refused.status).toBe(413);
      expect(refused.json.error?.message).toMatch(/larger than/);
      expect(await inbox(ids[B])).toEqual(before);
    });

    it('refuses a malformed report with 400 naming the field', async () => {
      const report = fullReport(ids[B]);
      report.software.packages.push(['', '1.0', 'amd64', null]);
      const bad = await post(base(), '/api/mp/inventory', report, { device: B });
      expect(bad.status).toBe(400);
      expect(bad.json.error?.message).toMatch(/^software\.packages\.2\.0: must not be empty/);
      const badDate = fullReport(ids[B]);
      badDate.software.packages[1][3] = '2024-02-30';
      expect((await post(base(), '/api/mp/inventory', badDate, { device: B })).json.error?.message).toMatch(
        /^software\.packages\.1\.3: must be a real date/,
      );
      expect((await post(base(), '/api/mp/inventory', '{"kind":', { device: B })).json.error?.message).toMatch(/not valid JSON/);
      // A value of no kind a hardware property holds (1e400 reads as Infinity) says what it must be.
      for (const value of ['{"a":1}', '1e400']) {
        const text = JSON.stringify(fullReport(ids[B])).replace('"model":"M1"', `"model":${value}`);
        expect((await post(base(), '/api/mp/inventory', text, { device: B })).json.error?.message, value).toBe(
          'hardware.system.0.model: must be text, a finite number, true, false or null',
        );
      }
      expect((await post(base(), '/api/mp/inventory', '', { device: B, raw: Buffer.from('not gzip') })).status).toBe(400);
    });

    it('refuses a body that is not UTF-8, plain or gzip, naming the body, where it was stored with U+FFFD in place of the bytes', async () => {
      const before = await inbox(ids[B]);
      const [head, tail] = JSON.stringify(fullReport(ids[B], 90)).split('"M1"');
      // A Latin-1 byte, an overlong slash and a surrogate encoded on its own (CESU-8).
      for (const bytes of [[0xe9], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
        const body = Buffer.concat([Buffer.from(`${head}"M`), Buffer.from(bytes), Buffer.from(`1"${tail}`)]);
        for (const gzip of [false, true]) {
          const refused = await post(base(), '/api/mp/inventory', body, { device: B, gzip });
          expect(refused.status, `${bytes} gzip ${gzip}`).toBe(400);
          expect(refused.json.error).toMatchObject({ message: 'The request body is not valid UTF-8.', fields: [{ path: 'body' }] });
        }
      }
      expect(await inbox(ids[B])).toEqual(before);
      // U+FFFD sent as such is text like any other.
      const replacement = JSON.stringify(fullReport(ids[B], 91)).replace('"M1"', '"M\uFFFD1"');
      expect((await post(base(), '/api/mp/inventory', replacement, { device: B })).status).toBe(202);
      const heartbeat = Buffer.from(JSON.stringify(heartbeatRecord(ids[B], B, ['10.1.2.3'])).replace('"Ubuntu"', '"Ubuntu\u00e9"'), 'latin1');
      const refused = await post(base(), '/api/mp/heartbeat', heartbeat, { device: B });
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ message: 'The request body is not valid UTF-8.', fields: [{ path: 'body' }] });
    });

    it("refuses a report in another device's name with 403, and one without a credential with 401", async () => {
      const forged = await post(base(), '/api/mp/inventory', fullReport(ids[A]), { device: B });
      expect(forged.status).toBe(403);
      expect(forged.json.error?.message).toMatch(/^deviceId: /);
      const res = await fetch(`${base()}/api/mp/inventory`, { method: 'POST', body: JSON.stringify(fullReport(ids[A])) });
      expect(res.status).toBe(401);
    });

    it('heartbeat discovery updates the device, keeps its registered name and stamps its activity', async () => {
      const record = {
        deviceId: ids[B],
        name: 'renamed-host',
        domain: 'corp.example',
        fqdn: 'renamed-host.corp.example',
        ipAddresses: ['fe80::1', '10.1.2.3', '10.1.2.4'],
        macAddresses: ['00:11:22:AA:BB:CC'],
        osName: 'Ubuntu',
        osVersion: '24.04',
        osKind: 'SERVER',
        agentVersion: '1.2.3',
        sentAt: new Date().toISOString(),
      };
      const started = Date.now();
      expect(await post(base(), '/api/mp/heartbeat', record, { device: B })).toEqual({ status: 200, json: { status: 'recorded' } });
      const { rows } = await pool().query(
        `SELECT name, domain, fqdn, ip_address, mac_address, os_name, os_version, os_kind::text, client_version, last_heartbeat_at FROM device WHERE id = $1`,
        [ids[B]],
      );
      expect(rows[0]).toMatchObject({
        name: B,
        domain: 'corp.example',
        fqdn: 'renamed-host.corp.example',
        ip_address: '10.1.2.3',
        mac_address: '00:11:22:AA:BB:CC',
        os_name: 'Ubuntu',
        os_version: '24.04',
        os_kind: 'SERVER',
        client_version: '1.2.3',
      });
      expect((rows[0].last_heartbeat_at as Date).getTime()).toBeGreaterThanOrEqual(started - 5);

      expect((await post(base(), '/api/mp/heartbeat', { ...record, deviceId: ids[A] }, { device: B })).status).toBe(403);
      const bad = await post(base(), '/api/mp/heartbeat', { ...record, macAddresses: ['nope'] }, { device: B });
      expect(bad.status).toBe(400);
      expect(bad.json.error?.message).toMatch(/^macAddresses\.0: /);
    });

    it('keeps the newer heartbeat when an older one (by sentAt) arrives after it, and takes heartbeats again once a clock ahead is put right', async () => {
      const device = `SELECT ip_address, client_version, last_heartbeat_at FROM device WHERE id = $1`;
      const at = (ms: number) => new Date(Date.now() + ms).toISOString();
      const newer = { ...heartbeatRecord(ids[A], A, ['10.5.5.2']), agentVersion: '1.2.4', sentAt: at(0) };
      const older = { ...heartbeatRecord(ids[A], A, ['10.5.5.1']), agentVersion: '1.2.3', sentAt: at(-60_000) };
      expect((await post(base(), '/api/mp/heartbeat', newer, { device: A })).status).toBe(200);
      const kept = (await pool().query(device, [ids[A]])).rows[0];
      expect(kept).toMatchObject({ ip_address: '10.5.5.2', client_version: '1.2.4' });
      // Answered as recorded, so the agent does not send it again.
      expect(await post(base(), '/api/mp/heartbeat', older, { device: A })).toEqual({ status: 200, json: { status: 'recorded' } });
      expect((await pool().query(device, [ids[A]])).rows[0]).toEqual(kept);
      // A clock a year ahead, then put right: its heartbeats are taken again.
      expect(
        (await post(base(), '/api/mp/heartbeat', { ...older, ipAddresses: ['10.5.5.3'], sentAt: at(366 * 86_400_000) }, { device: A })).status,
      ).toBe(200);
      expect((await post(base(), '/api/mp/heartbeat', { ...older, ipAddresses: ['10.5.5.4'], sentAt: at(1000) }, { device: A })).status).toBe(200);
      expect((await pool().query(device, [ids[A]])).rows[0]).toMatchObject({ ip_address: '10.5.5.4' });
    });

    it('refuses a compressed heartbeat naming Content-Encoding, where it read as "not valid JSON"', async () => {
      const record = heartbeatRecord(ids[A], A, ['10.9.9.9']);
      const compressed = await post(base(), '/api/mp/heartbeat', record, { device: A, gzip: true });
      expect(compressed.status).toBe(400);
      expect(compressed.json.error).toMatchObject({
        message: 'Content-Encoding gzip is not supported here; send plain JSON.',
        fields: [{ path: 'Content-Encoding' }],
      });
      const { rows } = await pool().query(`SELECT ip_address FROM device WHERE id = $1`, [ids[A]]);
      expect(rows[0].ip_address).not.toBe('10.9.9.9');
    });

    it('refuses an address PostgreSQL cannot read as one, and keeps a link-local address without its zone', async () => {
      const record = heartbeatRecord(ids[A], A, ['fe80::1%eth0']);
      for (const address of [':::::', '....', '1::2::3', '1:2:3:4:5:6:7:8:9']) {
        const bad = await post(base(), '/api/mp/heartbeat', { ...record, ipAddresses: ['10.1.2.3', address] }, { device: A });
        expect(bad.status).toBe(400);
        expect(bad.json.error?.message).toBe('ipAddresses.1: must be an IPv4 or IPv6 address');
      }
      expect((await post(base(), '/api/mp/heartbeat', record, { device: A })).status).toBe(200);
      // The address as collection rules read it (ipSubnet casts it to inet).
      const { rows } = await pool().query(`SELECT ip_address, ip_address::inet <<= 'fe80::/10'::cidr AS link_local FROM device WHERE id = $1`, [
        ids[A],
      ]);
      expect(rows[0]).toEqual({ ip_address: 'fe80::1', link_local: true });
    });
  });

  it('a policy request stamps the last policy request and carries the inventory resync flag', async () => {
    await pool().query(`UPDATE device SET inventory_resync = true, last_policy_request_at = NULL WHERE id = $1`, [ids.WKS1]);
    const res = await fetch(`${server.url}/api/mp/policy`, { headers: { authorization: auth.WKS1 } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ deviceId: ids.WKS1, inventory: { resync: true } });
    const { rows } = await pool().query(`SELECT last_policy_request_at FROM device WHERE id = $1`, [ids.WKS1]);
    expect(rows[0].last_policy_request_at).toBeInstanceOf(Date);
  });
});
