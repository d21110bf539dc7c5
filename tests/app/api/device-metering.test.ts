// Resource Explorer's Metered software: the programs a device ran (from the summaries, so a
// rule deleted since still shows by number) and its latest raw runs, newest first; another
// device's runs never show; an unknown device is a 404, a bad id a 400, no session a 401.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as meteringGET } from '@/app/api/devices/[id]/metering/route';
import { GET as runsCsvGET } from '@/app/api/devices/[id]/metering/runs.csv/route';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { DEVICE_RECENT_RUNS } from '@/lib/metering/read-device-metering';
import { runLength } from '@/lib/metering/run-length';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

const HOUR = 3_600_000;
const t0 = Date.now() - 48 * HOUR;

/** The n-th run starts n quarter-hours after t0; the 112th ended while its agent was down. */
function run(ruleId: number, key: string, n: number, userName = 'alice') {
  return {
    ruleId,
    usageKey: key,
    startedAt: new Date(t0 + n * 0.25 * HOUR),
    endedAt: new Date(t0 + n * 0.25 * HOUR + 90_000),
    userName,
    processId: 1000 + n,
    filePath: '/usr/bin/gimp',
    fileVersion: '2.10',
    endEstimated: n === 112,
  };
}

describe('a device’s metered software', () => {
  let analyst: TestSession;
  let device: number;
  let other: number;
  let gimp: number;
  let retired: number;
  const get = (id: string | number, session: TestSession | null = analyst) =>
    meteringGET(request(`/api/devices/${id}/metering`, { headers: session?.headers }), withParams({ id: String(id) }));

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 3 });
    analyst = await signInAs('READ_ONLY_ANALYST');
    [device, other] = (await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY id LIMIT 2`)).rows.map((r) => r.id);
    gimp = (await prisma().meteringRule.create({ data: { productName: 'GIMP', fileName: 'gimp', siteCode: 'S01' } })).id;
    retired = (await prisma().meteringRule.create({ data: { productName: 'Retired', fileName: 'retired', siteCode: 'S01' } })).id;
    // More runs than the tab lists, over three days (three day partitions), and one on another device.
    const many = Array.from({ length: DEVICE_RECENT_RUNS + 20 }, (_, i) => run(gimp, `g${i}`, i, i % 2 ? 'bob' : 'alice'));
    await insertMeteringUsage(pool(), device, [...many, run(retired, 'r1', 4, 'carol')]);
    await insertMeteringUsage(pool(), other, [run(gimp, 'o1', 160, 'dave')]);
    while (await summarizeMeteringUsage({ db: pool() }));
    await prisma().meteringRule.delete({ where: { id: retired } });
  });

  it('lists every program the device ran with its latest run, and its latest runs newest first', async () => {
    const res = await get(device);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.programs).toEqual([
      {
        ruleId: gimp,
        productName: 'GIMP',
        fileName: 'gimp',
        lastRunAt: new Date(t0 + (DEVICE_RECENT_RUNS + 19) * 0.25 * HOUR).toISOString(),
        lastUser: 'bob',
        runCount: DEVICE_RECENT_RUNS + 20,
      },
      { ruleId: retired, productName: null, fileName: null, lastRunAt: new Date(t0 + HOUR).toISOString(), lastUser: 'carol', runCount: 1 },
    ]);
    expect(body.recentRuns).toHaveLength(DEVICE_RECENT_RUNS);
    const starts = body.recentRuns.map((r: { startedAt: string }) => Date.parse(r.startedAt));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    expect(starts[0]).toBe(t0 + (DEVICE_RECENT_RUNS + 19) * 0.25 * HOUR);
    expect(body.recentRuns.every((r: { userName: string }) => r.userName !== 'dave')).toBe(true);
    // The 112th run: its end estimated (the agent was down when it ended).
    expect(body.recentRuns.find((r: { processId: number }) => r.processId === 1112)).toMatchObject({
      ruleId: gimp,
      endEstimated: true,
      filePath: '/usr/bin/gimp',
    });
  });

  it('says nothing ran on a device without runs, and refuses unknown devices and bad ids', async () => {
    const third = (await pool().query<{ id: number }>(`SELECT id FROM device ORDER BY id OFFSET 2 LIMIT 1`)).rows[0].id;
    expect(await (await get(third)).json()).toEqual({ programs: [], recentRuns: [] });
    expect((await get(999_999)).status).toBe(404);
    for (const id of ['abc', '-1', '1.5', '99999999999']) {
      const res = await get(id);
      expect(res.status, id).toBe(400);
      expect((await res.json()).error.fields[0].path).toBe('id');
    }
    expect((await get(device, null)).status).toBe(401);
  });

  it('gives every run the site holds for the device as CSV, newest first', async () => {
    const csv = (id: string | number, session: TestSession | null = analyst) =>
      runsCsvGET(request(`/api/devices/${id}/metering/runs.csv`, { headers: session?.headers }), withParams({ id: String(id) }));
    const res = await csv(device);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="device-${device}-metered-runs.csv"`);
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe('Product,Rule ID,Started (UTC),Ended (UTC),End estimated,Seconds,User,Process ID,File,Version');
    // All 121 runs, not the tab's 100: the newest first, the deleted rule's by its id alone.
    expect(lines).toHaveLength(1 + DEVICE_RECENT_RUNS + 21);
    const newest = new Date(t0 + (DEVICE_RECENT_RUNS + 19) * 0.25 * HOUR);
    expect(lines[1]).toBe(
      `GIMP,${gimp},${newest.toISOString()},${new Date(newest.getTime() + 90_000).toISOString()},no,90,bob,${1000 + DEVICE_RECENT_RUNS + 19},/usr/bin/gimp,2.10`,
    );
    expect(lines.filter((line) => line.startsWith(`,${retired},`))).toHaveLength(1);
    expect(lines.filter((line) => line.includes(',yes,'))).toHaveLength(1);
    expect((await csv(999_999)).status).toBe(404);
    expect((await csv('abc')).status).toBe(400);
    expect((await csv(device, null)).status).toBe(401);
  });

  it('writes run lengths for a table', () => {
    expect([0, -5, 45.4, 60, 723, 3600, 7500, 86_400 + 4 * 3600 + 59].map(runLength)).toEqual([
      '0 s',
      '0 s',
      '45 s',
      '1 min 0 s',
      '12 min 3 s',
      '1 h 00 min',
      '2 h 05 min',
      '1 d 4 h',
    ]);
  });
});
