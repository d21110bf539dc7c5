// The live query API: started through POST /api/client-operations with the query checked, its rows
// read a page at a time after a cursor, its summary, and each refusal naming its field.
import { beforeAll, describe, expect, it } from 'vitest';
import { GET as overviewRoute } from '@/app/api/client-operations/[id]/live-query/route';
import { GET as rowsRoute } from '@/app/api/client-operations/[id]/live-query/rows/route';
import { POST as startOperation } from '@/app/api/client-operations/route';
import { provisionSimulatedFleet } from '@/bench/support/provision-simulated-fleet';
import { pool } from '@/lib/db/pool';
import { materializeOperationTargets } from '@/lib/notification/materialize-operation-targets';
import * as repo from '@/lib/notification/repo';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

describe('live query API', () => {
  let operator: TestSession;
  let analyst: TestSession;
  let deviceIds: number[];

  const start = (session: TestSession, body: unknown) =>
    startOperation(request('/api/client-operations', { method: 'POST', headers: session.headers, body }));
  const rows = (session: TestSession, id: number, query = '') =>
    rowsRoute(request(`/api/client-operations/${id}/live-query/rows${query}`, { headers: session.headers }), withParams({ id: String(id) }));
  const overview = (session: TestSession, id: number) =>
    overviewRoute(request(`/api/client-operations/${id}/live-query`, { headers: session.headers }), withParams({ id: String(id) }));

  /** Each device answers `perDevice` rows of the summarize, as agents would. */
  async function answer(operationId: number, perDevice: (deviceIndex: number) => Record<string, string | number>[]) {
    await materializeOperationTargets({ db: pool(), operationIds: [operationId] });
    await repo.recordResults(
      pool(),
      deviceIds.map((deviceId, i) => {
        const answerRows = perDevice(i);
        return {
          operationId,
          deviceId,
          outcome: 'SUCCEEDED' as const,
          detail: { message: 'ok', durationMs: 1, liveQuery: { rows: answerRows, rowCount: answerRows.length, truncated: i === 0 } },
          completedAt: new Date(),
          receivedAt: new Date(),
        };
      }),
    );
  }

  beforeAll(async () => {
    await useTestDatabase();
    const fleet = await provisionSimulatedFleet({ db: pool(), siteCode: 'S01', prefix: 'LQAPI-', count: 3, collectionName: 'Query API clients' });
    deviceIds = fleet.credentials.map((c) => c.deviceId);
    operator = await signInAs('OPERATIONS_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('refuses a start without a query, with one that does not parse, and from a role that cannot run operations', async () => {
    const target = { deviceIds };
    const missing = await start(operator, { action: 'LIVE_QUERY', target });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.fields[0]).toMatchObject({ path: 'liveQuery.query' });
    const bad = await start(operator, { action: 'LIVE_QUERY', target, liveQuery: { query: 'packages | take -1' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.fields[0]).toMatchObject({ path: 'liveQuery.query', message: expect.stringMatching(/^line 1, column \d+/) });
    const misplaced = await start(operator, { action: 'QUICK_SCAN', target, liveQuery: { query: 'os' } });
    expect((await misplaced.json()).error.fields[0]).toMatchObject({ path: 'liveQuery' });
    expect((await start(analyst, { action: 'LIVE_QUERY', target, liveQuery: { query: 'os' } })).status).toBe(403);
  });

  it('pages every row after a cursor and merges the summary across devices', async () => {
    const started = await start(operator, {
      action: 'LIVE_QUERY',
      target: { deviceIds },
      liveQuery: { query: 'packages | summarize count() by arch | order by count desc' },
    });
    expect(started.status).toBe(200);
    const { id } = await started.json();
    // Device i has i+1 amd64 packages and 1 all-architecture one.
    await answer(id, (i) => [
      { arch: 'amd64', count: i + 1 },
      { arch: 'all', count: 1 },
    ]);
    const seen: string[] = [];
    let after = '';
    for (let guard = 0; guard < 10; guard++) {
      const page = await rows(analyst, id, `?limit=4${after ? `&after=${after}` : ''}`);
      expect(page.status).toBe(200);
      const body = (await page.json()) as { rows: { seq: string; deviceName: string }[]; next: string | null };
      seen.push(...body.rows.map((r) => `${r.deviceName}`));
      if (!body.next) break;
      after = body.next;
    }
    expect(seen.length).toBe(6);
    expect(new Set(seen)).toEqual(new Set(['LQAPI-00001', 'LQAPI-00002', 'LQAPI-00003']));
    const summary = await (await overview(analyst, id)).json();
    expect(summary).toMatchObject({
      columns: ['arch', 'count'],
      rowsStored: 6,
      devicesTruncated: 1,
      summary: [
        { arch: 'amd64', count: 6 },
        { arch: 'all', count: 3 },
      ],
    });
  });

  it("keeps the summary when one device answers a count that is not a number, leaving that device's value out", async () => {
    const started = await start(operator, {
      action: 'LIVE_QUERY',
      target: { deviceIds },
      liveQuery: { query: 'packages | summarize count() by arch' },
    });
    const { id } = await started.json();
    // A broken or hostile agent: its rows pass the channel's checks (text is a value), not the merge's arithmetic.
    await answer(id, (i) => [{ arch: 'amd64', count: i === 1 ? 'many' : 2 }]);
    const response = await overview(analyst, id);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ rowsStored: 3, summary: [{ arch: 'amd64', count: 4 }] });
  });

  it("keeps the summary readable when the devices' values add up past what a double holds", async () => {
    const started = await start(operator, {
      action: 'LIVE_QUERY',
      target: { deviceIds },
      liveQuery: { query: 'processes | summarize count(), sum(pid), max(pid) by user' },
    });
    const { id } = await started.json();
    // A broken or hostile agent's numbers: each a double, their sum past the largest one.
    await answer(id, () => [{ user: 'root', count: 1, sum_pid: 1.5e308, max_pid: 1.5e308 }]);
    const response = await overview(analyst, id);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ rowsStored: 3, summary: [{ user: 'root', count: 3, sum_pid: null, max_pid: 1.5e308 }] });
  });

  it('refuses a column named twice in summarize by or project with 400 at the start, so its summary can always be read', async () => {
    // Each key is one argument of the merge's jsonb_build_array, which takes at most 100: a query
    // naming arch 101 times started, and every read of its summary was a 500.
    const keys = Array.from({ length: 101 }, () => 'arch').join(', ');
    const repeated = await start(operator, {
      action: 'LIVE_QUERY',
      target: { deviceIds },
      liveQuery: { query: `packages | summarize count() by ${keys}` },
    });
    expect(repeated.status).toBe(400);
    expect((await repeated.json()).error.fields[0]).toMatchObject({
      path: 'liveQuery.query',
      message: 'line 1, column 39: "arch" appears twice',
    });
    const projected = await start(operator, { action: 'LIVE_QUERY', target: { deviceIds }, liveQuery: { query: 'packages | project name, name' } });
    expect(projected.status).toBe(400);
    expect((await projected.json()).error.fields[0]).toMatchObject({ path: 'liveQuery.query', message: 'line 1, column 26: "name" appears twice' });
  });

  it('names the field of a bad cursor or limit, and refuses an operation that is not a live query', async () => {
    const started = await start(operator, { action: 'LIVE_QUERY', target: { deviceIds }, liveQuery: { query: 'os' } });
    const { id } = await started.json();
    const badCursor = await rows(analyst, id, '?after=1e5');
    expect(badCursor.status).toBe(400);
    expect((await badCursor.json()).error.fields[0].path).toBe('after');
    const badLimit = await rows(analyst, id, '?limit=100000');
    expect((await badLimit.json()).error.fields[0].path).toBe('limit');
    const scan = await (await start(operator, { action: 'QUICK_SCAN', target: { deviceIds } })).json();
    const notQuery = await overview(analyst, scan.id);
    expect(notQuery.status).toBe(400);
    expect((await rows(analyst, 999_999)).status).toBe(404);
  });
});
