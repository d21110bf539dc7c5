import { beforeAll, describe, expect, it } from 'vitest';
import { POST as validate } from '@/app/api/live-queries/validate/route';
import { request, signInAs, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';

describe('POST /api/live-queries/validate', () => {
  let operator: TestSession;
  let analyst: TestSession;
  const check = (session: TestSession, body: unknown) =>
    validate(request('/api/live-queries/validate', { method: 'POST', headers: session.headers, body }));

  beforeAll(async () => {
    await useTestDatabase();
    operator = await signInAs('OPERATIONS_ADMINISTRATOR');
    analyst = await signInAs('READ_ONLY_ANALYST');
  });

  it('answers a valid query with its parsed form, and refuses one with the line and column of the problem', async () => {
    const ok = await check(operator, { query: 'packages | summarize count() by source' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      query: { entity: { name: 'packages' }, stages: [{ kind: 'summarize' }] },
      entity: 'Installed packages (dpkg or rpm)',
    });

    const bad = await check(operator, { query: 'processes\n| where cpuu > 1' });
    expect(bad.status).toBe(400);
    const { error } = await bad.json();
    expect(error.fields).toEqual([{ path: 'query', message: expect.stringMatching(/^line 2, column 9: Unknown column "cpuu"/) }]);
    expect(error.details.position).toEqual({ offset: 18, line: 2, column: 9, length: 4 });

    const unreadable = await check(operator, { query: 'processes | where' });
    expect(unreadable.status).toBe(400);
    expect((await unreadable.json()).error.fields[0].message).toMatch(/ends too early/);
    expect((await check(operator, {})).status).toBe(400);
    expect((await check(operator, { query: 'x'.repeat(5000) })).status).toBe(400);
  });

  it('is for those who may run client operations', async () => {
    expect((await check(analyst, { query: 'os' })).status).toBe(403);
  });
});
