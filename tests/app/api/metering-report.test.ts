// The Software Metering reports over real summaries: usage per month and day, the computers and
// users that ran a program, and the computers where it is installed but unused (licence reclaim).
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as report } from '@/app/api/metering-rules/[id]/report/route';
import { GET as unused } from '@/app/api/metering-rules/[id]/unused/route';
import { GET as computersCsv } from '@/app/api/metering-rules/[id]/computers.csv/route';
import { GET as unusedCsv } from '@/app/api/metering-rules/[id]/unused.csv/route';
import { GET as usageCsv } from '@/app/api/metering-rules/[id]/usage.csv/route';
import { GET as usersCsv } from '@/app/api/metering-rules/[id]/users.csv/route';
import { GET as listRules, POST as createRule } from '@/app/api/metering-rules/route';
import { pool } from '@/lib/db/pool';
import { prisma } from '@/lib/db/prisma';
import { installedPackageNames, versionLikePattern } from '@/lib/metering/read-metering-report';
import { summarizeMeteringUsage } from '@/lib/metering/summarize-metering-usage';
import { insertMeteringUsage } from '@/lib/metering/usage-repo';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { setInstalledSoftware } from '../../support/inventory-fixture';

const DAY = 86_400_000;
const runOf = (ruleId: number, key: string, userName: string, startedAt: Date, seconds: number) => ({
  ruleId,
  usageKey: key,
  startedAt,
  endedAt: new Date(startedAt.getTime() + seconds * 1000),
  userName,
  processId: 1,
  filePath: '/usr/bin/gimp',
  fileVersion: '2.10',
  endEstimated: false,
});

describe('software metering reports', () => {
  let analyst: TestSession;
  let ruleId: number;
  const devices: { id: number; name: string }[] = [];
  const now = Date.now();

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 4 });
    const admin = await signInAs('FULL_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
    const created = await createRule(
      request('/api/metering-rules', {
        method: 'POST',
        headers: admin.headers,
        body: { productName: 'GIMP', fileName: 'gimp', version: '2.*', siteCode: 'S01' },
      }),
    );
    ruleId = (await created.json()).id;
    devices.push(...(await pool().query<{ id: number; name: string }>(`SELECT id, name FROM device ORDER BY id LIMIT 4`)).rows);
    // Installed on devices 0, 1 and 2 (2 at a version the rule does not meter); device 3 ran it once, long ago.
    await setInstalledSoftware(devices[0].id, [{ name: 'gimp', version: '2.10.34-1' }]);
    await setInstalledSoftware(devices[1].id, [{ name: 'gimp', version: '2.10.34-1' }]);
    await setInstalledSoftware(devices[2].id, [{ name: 'gimp', version: '3.0.0-1' }]);
    await insertMeteringUsage(pool(), devices[0].id, [
      runOf(ruleId, 'a', 'alice', new Date(now - 2 * DAY), 600),
      runOf(ruleId, 'b', 'bob', new Date(now - DAY), 60),
    ]);
    await insertMeteringUsage(pool(), devices[3].id, [runOf(ruleId, 'c', 'carol', new Date(now - 200 * DAY), 30)]);
    while (await summarizeMeteringUsage({ db: pool() }));
  });

  it('shows usage per month and day and who ran it, latest first', async () => {
    const response = await report(
      request(`/api/metering-rules/${ruleId}/report?months=12`, { headers: analyst.headers }),
      withParams({ id: String(ruleId) }),
    );
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.rule).toMatchObject({ productName: 'GIMP' });
    expect(body.months).toHaveLength(12);
    expect(body.days).toHaveLength(31);
    const sum = (points: { runCount: number; runSeconds: number }[]) => points.reduce((s, p) => [s[0] + p.runCount, s[1] + p.runSeconds], [0, 0]);
    // The 200-day-old run is outside the last 31 days; within 12 months it may or may not fall.
    expect(sum(body.days)).toEqual([2, 660]);
    expect(body.months.at(-1).start).toBe(`${new Date(now).toISOString().slice(0, 7)}-01`);
    expect(body.computers.total).toBe(2);
    expect(body.computers.computers.map((c: { name: string; lastUser: string; runCount: number }) => [c.name, c.lastUser, c.runCount])).toEqual([
      [devices[0].name, 'bob', 2],
      [devices[3].name, 'carol', 1],
    ]);
    expect(body.users.users.map((u: { userName: string }) => u.userName)).toEqual(['bob', 'alice', 'carol']);
  });

  it('gives per day and month the most runs in progress at once, carried across midnight and from before the window', async () => {
    const admin = await signInAs('FULL_ADMINISTRATOR');
    const created = await createRule(
      request('/api/metering-rules', {
        method: 'POST',
        headers: admin.headers,
        body: { productName: 'Inkscape', fileName: 'inkscape', version: '*', siteCode: 'S01' },
      }),
    );
    const id = (await created.json()).id;
    const today = Math.floor(now / DAY) * DAY;
    const at = (daysAgo: number, time: string) => new Date(`${new Date(today - daysAgo * DAY).toISOString().slice(0, 10)}T${time}Z`);
    const between = (key: string, device: number, from: Date, to: Date) => ({
      ...runOf(id, key, 'dana', from, (to.getTime() - from.getTime()) / 1000),
      device,
    });
    const runs = [
      // Started before the 31 days shown, ended five days ago at noon.
      between('long', 0, at(40, '12:00:00'), at(5, '12:00:00')),
      // Three days ago: three at once from 11:15 (two of them on one computer).
      between('a', 0, at(3, '10:00:00'), at(3, '12:00:00')),
      between('b', 1, at(3, '11:00:00'), at(3, '11:30:00')),
      between('c', 1, at(3, '11:14:20'), at(3, '13:00:00')),
      // Two days ago at 22:00 until yesterday at 02:00.
      between('night', 2, at(2, '22:00:00'), at(1, '02:00:00')),
      // Shorter than a minute and within one: held no minute's start.
      between('blink', 2, at(1, '08:00:10'), at(1, '08:00:50')),
    ];
    for (const device of [0, 1, 2])
      await insertMeteringUsage(
        pool(),
        devices[device].id,
        runs.filter((r) => r.device === device).map(({ device: _, ...run }) => run),
      );
    while (await summarizeMeteringUsage({ db: pool() }));

    const body = await (
      await report(request(`/api/metering-rules/${id}/report`, { headers: analyst.headers }), withParams({ id: String(id) }))
    ).json();
    const day = (daysAgo: number) => body.days[30 - daysAgo];
    const atOnce = (p: { mostAtOnce: number; mostAtOnceAt: string | null }) => [p.mostAtOnce, p.mostAtOnceAt];
    expect(atOnce(day(30))).toEqual([1, at(30, '00:00:00').toISOString()]);
    expect(atOnce(day(5))).toEqual([1, at(5, '00:00:00').toISOString()]);
    expect(atOnce(day(4))).toEqual([0, null]);
    expect(atOnce(day(3))).toEqual([3, at(3, '11:15:00').toISOString()]);
    expect(atOnce(day(2))).toEqual([1, at(2, '22:00:00').toISOString()]);
    expect(atOnce(day(1))).toEqual([1, at(1, '00:00:00').toISOString()]);
    expect(atOnce(day(0))).toEqual([0, null]);
    // By hour of the day on the site's clock: the hour holding 11:15 UTC three days ago had three at once.
    const siteZone = (await pool().query<{ time_zone: string }>(`SELECT time_zone FROM site WHERE code = 'S01'`)).rows[0].time_zone;
    expect(body.timeOfDay.timeZone).toBe(siteZone);
    expect(body.timeOfDay.hours).toHaveLength(24);
    const localHour = Number(new Intl.DateTimeFormat('en-US', { timeZone: siteZone, hour: 'numeric', hourCycle: 'h23' }).format(at(3, '11:15:00')));
    expect(body.timeOfDay.hours[localHour].mostAtOnce).toBe(3);
    expect(Math.max(...body.timeOfDay.hours.map((h: { mostAtOnce: number }) => h.mostAtOnce))).toBe(3);
    // The same figures as CSV, per day and per month.
    const csv = async (query: string) => {
      const res = await usageCsv(
        request(`/api/metering-rules/${id}/usage.csv${query}`, { headers: analyst.headers }),
        withParams({ id: String(id) }),
      );
      return { res, lines: (await res.text()).split('\r\n') };
    };
    const perDay = await csv('?per=day');
    expect(perDay.res.headers.get('content-disposition')).toBe(`attachment; filename="metering-rule-${id}-usage-per-day.csv"`);
    expect(perDay.lines[0]).toBe('Day,Runs,Computers,Users,Run hours,Most at once,Most at once from (UTC)');
    expect(perDay.lines).toHaveLength(1 + 31 + 1);
    expect(perDay.lines).toContain(`${at(3, '00:00:00').toISOString().slice(0, 10)},3,2,1,4.26,3,${at(3, '11:15:00').toISOString()}`);
    const perMonth = await csv('?months=2');
    expect(perMonth.lines[0].startsWith('Month,')).toBe(true);
    expect(perMonth.lines.slice(1, -1).map((l) => l.split(',')[0])).toEqual(body.months.slice(-2).map((m: { start: string }) => m.start.slice(0, 7)));
    for (const [query, path, message] of [
      ['?per=week', 'per', 'must be month or day'],
      ['?months=0', 'months', 'must be 1 or more'],
    ]) {
      const bad = await csv(query);
      expect(bad.res.status, query).toBe(400);
      expect(JSON.parse(bad.lines[0]).error.fields[0]).toEqual({ path, message });
    }
    const monthOf = (t: Date) => body.months.find((m: { start: string }) => m.start === `${t.toISOString().slice(0, 7)}-01`);
    expect(atOnce(monthOf(at(3, '00:00:00')))).toEqual([3, at(3, '11:15:00').toISOString()]);
    // The month the long run began in: one at once from its start.
    expect(atOnce(monthOf(at(40, '00:00:00')))[0]).toBeGreaterThanOrEqual(1);
  });

  it('says how many runs of the rule wait to be counted, which the figures leave out', async () => {
    const rule = await prisma().meteringRule.create({ data: { productName: 'Waiting Tool', fileName: 'waiting-tool', siteCode: 'S01' } });
    const ask = async () =>
      (await (
        await report(request(`/api/metering-rules/${rule.id}/report`, { headers: analyst.headers }), withParams({ id: String(rule.id) }))
      ).json()) as {
        summarizer: { waiting: number; oldestWaitingAt: string | null; lastCountedAt: string | null };
        days: { runCount: number }[];
      };
    await insertMeteringUsage(pool(), devices[0].id, [
      runOf(rule.id, 'w1', 'erin', new Date(now - 3_600_000), 60),
      runOf(rule.id, 'w2', 'erin', new Date(now - 1_800_000), 60),
    ]);
    const before = await ask();
    expect(before.summarizer.waiting).toBe(2);
    expect(Math.abs(Date.parse(before.summarizer.oldestWaitingAt!) - Date.now())).toBeLessThan(60_000);
    expect(before.days.at(-1)!.runCount + before.days.at(-2)!.runCount).toBe(0);
    while (await summarizeMeteringUsage({ db: pool() }));
    const after = await ask();
    expect(after.summarizer).toMatchObject({ waiting: 0, oldestWaitingAt: null });
    expect(Math.abs(Date.parse(after.summarizer.lastCountedAt!) - Date.now())).toBeLessThan(60_000);
  });

  it('lists computers with the program installed or run before that have not run it in N days', async () => {
    const ask = async (query: string) =>
      unused(request(`/api/metering-rules/${ruleId}/unused${query}`, { headers: analyst.headers }), withParams({ id: String(ruleId) }));
    const in30 = await (await ask('?days=30')).json();
    // Device 1: installed, never run; device 3: ran 200 days ago; device 0 ran yesterday; device 2's version is not metered.
    expect(
      in30.computers.map((c: { name: string; packageName: string | null; lastRunAt: string | null }) => [
        c.name,
        c.packageName,
        c.lastRunAt !== null,
      ]),
    ).toEqual([
      [devices[1].name, 'gimp', false],
      [devices[3].name, null, true],
    ]);
    expect(in30.total).toBe(2);
    const inOne = await (await ask('?days=1')).json();
    expect(inOne.computers.map((c: { name: string }) => c.name)).toContain(devices[0].name);

    for (const [query, message] of [
      ['?days=0', 'must be 1 or more'],
      ['?days=abc', 'must be a whole number of days'],
      ['?days=1.5', 'must be a whole number of days'],
    ]) {
      const res = await ask(query);
      expect(res.status, query).toBe(400);
      expect((await res.json()).error.fields[0]).toEqual({ path: 'days', message });
    }
    const missing = await unused(request(`/api/metering-rules/999999/unused`, { headers: analyst.headers }), withParams({ id: '999999' }));
    expect(missing.status).toBe(404);
  });

  it('gives every row of each list as CSV, for a spreadsheet or a reclaim request', async () => {
    const get = async (handler: typeof computersCsv, path: string) => {
      const response = await handler(
        request(`/api/metering-rules/${ruleId}/${path}`, { headers: analyst.headers }),
        withParams({ id: String(ruleId) }),
      );
      return { response, lines: response.status === 200 ? (await response.text()).trimEnd().split('\r\n') : [] };
    };
    const computers = await get(computersCsv, 'computers.csv');
    expect(computers.response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(computers.response.headers.get('content-disposition')).toBe(`attachment; filename="metering-rule-${ruleId}-computers.csv"`);
    expect(computers.lines).toEqual([
      'Computer,Device ID,Last run (UTC),Last run by,Runs',
      `${devices[0].name},${devices[0].id},${new Date(now - DAY).toISOString()},bob,2`,
      `${devices[3].name},${devices[3].id},${new Date(now - 200 * DAY).toISOString()},carol,1`,
    ]);
    const users = await get(usersCsv, 'users.csv');
    expect(users.lines.map((line) => line.split(',')[0])).toEqual(['User', 'bob', 'alice', 'carol']);
    expect(users.lines[2]).toBe(`alice,${new Date(now - 2 * DAY).toISOString()},1`);
    const notRun = await get(unusedCsv, 'unused.csv?days=30');
    expect(notRun.response.headers.get('content-disposition')).toContain(`metering-rule-${ruleId}-not-run-in-30-days.csv`);
    expect(notRun.lines).toEqual([
      'Computer,Device ID,Installed package,Package version,Last run (UTC)',
      `${devices[1].name},${devices[1].id},gimp,2.10.34-1,`,
      `${devices[3].name},${devices[3].id},,,${new Date(now - 200 * DAY).toISOString()}`,
    ]);

    const bad = await get(unusedCsv, 'unused.csv?days=-3');
    expect(bad.response.status).toBe(400);
    expect((await bad.response.json()).error.fields[0].path).toBe('days');
    for (const handler of [computersCsv, usersCsv, unusedCsv]) {
      const missing = await handler(request(`/api/metering-rules/999999/x.csv`, { headers: analyst.headers }), withParams({ id: '999999' }));
      expect(missing.status).toBe(404);
    }
    const anonymous = await computersCsv(request(`/api/metering-rules/${ruleId}/computers.csv`), withParams({ id: String(ruleId) }));
    expect(anonymous.status).toBe(401);
  });

  it("lists each rule with this month's usage, and none for a rule that did not run", async () => {
    const [busy, idle] = await Promise.all(
      ['Month Tool', 'Idle Tool'].map((productName) =>
        prisma().meteringRule.create({ data: { productName, fileName: productName.replace(' ', '-').toLowerCase(), siteCode: 'S01' } }),
      ),
    );
    // Started at this minute's start: this month, whatever day of it the test runs on, and every run holds that minute.
    const started = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    await insertMeteringUsage(pool(), devices[0].id, [runOf(busy.id, 'm1', 'alice', started, 90), runOf(busy.id, 'm2', 'bob', started, 30)]);
    await insertMeteringUsage(pool(), devices[1].id, [runOf(busy.id, 'm3', 'alice', started, 5)]);
    // Began 40 days ago (another month) and ended a minute after the others began: in progress at this month's start.
    const longAgo = new Date(started.getTime() - 40 * DAY);
    await insertMeteringUsage(pool(), devices[2].id, [runOf(busy.id, 'm4', 'carol', longAgo, (started.getTime() - longAgo.getTime()) / 1000 + 60)]);
    while (await summarizeMeteringUsage({ db: pool() }));
    const res = await listRules(request('/api/metering-rules?search=Tool', { headers: analyst.headers }));
    expect(res.status).toBe(200);
    const { rules } = (await res.json()) as { rules: { id: number; thisMonth: unknown }[] };
    expect(rules.find((r) => r.id === busy.id)?.thisMonth).toEqual({
      distinctUsers: 2,
      distinctComputers: 2,
      runCount: 3,
      runSeconds: 125,
      mostAtOnce: 4,
    });
    expect(rules.find((r) => r.id === idle.id)?.thisMonth).toBeNull();
  });

  it('matches installed packages by product or file name and the version pattern', () => {
    expect(installedPackageNames({ productName: 'GIMP', fileName: '/usr/bin/gimp-2.10' })).toEqual(['gimp', 'gimp-2.10']);
    expect(installedPackageNames({ productName: 'Code', fileName: '/opt/*/bin/code*' })).toEqual(['code']);
    // A program of a snap counts as installed where the snap is (inventory lists snaps by name).
    expect(installedPackageNames({ productName: 'PyCharm Professional', fileName: '/snap/pycharm-professional/*/bin/pycharm.sh' })).toEqual([
      'pycharm professional',
      'pycharm.sh',
      'pycharm-professional',
    ]);
    expect(installedPackageNames({ productName: 'Firefox', fileName: '/snap/bin/firefox' })).toEqual(['firefox']);
    expect(versionLikePattern('*')).toBeNull();
    expect(versionLikePattern('2.1?_*')).toBe('2.1_\\_%');
  });
});
