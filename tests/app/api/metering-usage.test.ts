// POST /api/mp/metering-usage over real HTTP on a real database, both as the Next.js route and as
// the lean endpoint server.ts and mp.ts serve: runs stored once however often a batch is sent,
// runs of a deleted rule kept, and bad input refused with 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as meteringUsageRoute } from '@/app/api/mp/metering-usage/route';
import { pool } from '@/lib/db/pool';
import { approvedDevices, startLeanUploads } from '../../support/approved-devices';
import { useTestDatabase } from '../../support/database';
import { RouteServer } from '../../lib/status/serve-route';

const server = new RouteServer({ '/api/mp/metering-usage': (req) => meteringUsageRoute(req) });
let lean: Awaited<ReturnType<typeof startLeanUploads>>;
let auth: Record<string, string> = {};
let ids: Record<string, number> = {};

function run(key: string, overrides: Record<string, unknown> = {}) {
  return {
    ruleId: 1,
    usageKey: key,
    startedAt: '2026-12-01T10:00:00.000Z',
    endedAt: '2026-12-01T10:05:00.000Z',
    userName: 'alice',
    processId: 4242,
    filePath: '/opt/tool/bin/tool',
    fileVersion: '1.2.3-1',
    endEstimated: false,
    ...overrides,
  };
}

async function post(base: string, body: unknown, device?: string) {
  const res = await fetch(`${base}/api/mp/metering-usage`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(device ? { authorization: auth[device] } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
}
const storedRuns = async (deviceId: number) =>
  (
    await pool().query<{ usage_key: string; rule_id: number; user_name: string; ended_at: Date; end_estimated: boolean }>(
      `SELECT usage_key, rule_id, user_name, ended_at, end_estimated FROM metering_usage WHERE device_id = $1 ORDER BY usage_key`,
      [deviceId],
    )
  ).rows;

describe('management point: metering usage uploads', () => {
  beforeAll(async () => {
    await useTestDatabase();
    await pool().query(`INSERT INTO site (code, name, updated_at) VALUES ('S01', 'Central', now())`);
    ({ auth, ids } = await approvedDevices(['WKS1', 'LEAN1']));
    await server.start();
    lean = await startLeanUploads();
  });
  afterAll(async () => {
    await server.stop();
    await lean.stop();
  });

  describe.each([
    { via: 'the Next.js route', device: 'WKS1', base: () => server.url },
    { via: 'the lean endpoint', device: 'LEAN1', base: () => lean.url },
  ])('through $via', ({ device, base }) => {
    it('stores a batch once however often it is sent, and keeps runs of a rule that no longer exists', async () => {
      // No metering_rule row exists at all: rule 1 and 999 are history the site still keeps.
      const batch = { usage: [run('boot-a:100:5000'), run('boot-a:200:6000', { ruleId: 999, endEstimated: true })] };
      expect(await post(base(), batch, device)).toEqual({ status: 200, json: { received: 2, stored: 2 } });
      expect(await post(base(), batch, device)).toEqual({ status: 200, json: { received: 2, stored: 0 } });
      // A later batch sharing one run with the first stores only the new one.
      expect(await post(base(), { usage: [batch.usage[1], run('boot-a:300:7000')] }, device)).toEqual({
        status: 200,
        json: { received: 2, stored: 1 },
      });
      const rows = await storedRuns(ids[device]);
      expect(rows.map((r) => [r.usage_key, r.rule_id, r.end_estimated])).toEqual([
        ['boot-a:100:5000', 1, false],
        ['boot-a:200:6000', 999, true],
        ['boot-a:300:7000', 1, false],
      ]);
      expect(rows[0].ended_at.toISOString()).toBe('2026-12-01T10:05:00.000Z');
    });

    it('refuses bad input with 400 naming the field, and stores nothing of that batch', async () => {
      const before = (await storedRuns(ids[device])).length;
      const cases: [unknown, RegExp][] = [
        [{ usage: [run('k1', { ruleId: 0 })] }, /^usage\.0\.ruleId: /],
        [{ usage: [run('k1'), run('k2', { startedAt: '2026-02-30T00:00:00Z' })] }, /^usage\.1\.startedAt: must be a real date/],
        [{ usage: [run('k1', { endedAt: '2026-12-01T09:00:00.000Z' })] }, /^usage\.0\.endedAt: must not be before startedAt/],
        [{ usage: [run('k1', { userName: 'a\u0000b' })] }, /^usage\.0\.userName: /],
        [{ usage: [run('', {})] }, /^usage\.0\.usageKey: is required/],
        [{ usage: [] }, /^usage: must hold at least one run/],
        [{}, /^usage: /],
        ['{"usage": [', /not valid JSON/],
      ];
      for (const [body, message] of cases) {
        const answer = await post(base(), body, device);
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.json.error?.message).toMatch(message);
      }
      expect((await storedRuns(ids[device])).length).toBe(before);
    });

    it('refuses an upload without a device credential with 401', async () => {
      expect((await post(base(), { usage: [run('k9')] })).status).toBe(401);
    });
  });
});
