import { beforeAll, describe, expect, it } from 'vitest';
import { POST as validate } from '@/app/api/live-queries/validate/route';
import { MAX_NESTING } from '@/lib/live-query/query-language';
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

  it('refuses a query nested deeper than the parser can follow with 400 naming the place, not a 500', async () => {
    const nested = (levels: number) => `processes | where ${'('.repeat(levels)}name = "a"${')'.repeat(levels)}`;
    expect((await check(operator, { query: nested(MAX_NESTING) })).status).toBe(200);
    const deep = await check(operator, { query: nested(1900) });
    expect(deep.status).toBe(400);
    const { error } = await deep.json();
    expect(error.fields).toEqual([
      { path: 'query', message: `line 1, column ${19 + MAX_NESTING}: Parentheses nested deeper than ${MAX_NESTING} levels` },
    ]);
    expect(error.details.position).toEqual({ offset: 18 + MAX_NESTING, line: 1, column: 19 + MAX_NESTING, length: 1 });
    // A chain of "not" as long as the text may be: refused at the first "not" past the bound.
    const chain = await check(operator, { query: `processes | where ${'not '.repeat(990)}name = "a"` });
    expect(chain.status).toBe(400);
    expect((await chain.json()).error.details.position).toEqual({ offset: 18 + 4 * MAX_NESTING, line: 1, column: 19 + 4 * MAX_NESTING, length: 3 });
  });

  it('refuses an entity named like a built-in property of objects with 400 naming it, not a 500', async () => {
    for (const name of ['constructor', '__proto__', 'Constructor']) {
      const response = await check(operator, { query: `${name} | take 1` });
      expect(response.status).toBe(400);
      expect((await response.json()).error.fields).toEqual([{ path: 'query', message: expect.stringContaining(`Unknown entity "${name}"`) }]);
    }
  });

  it('is for those who may run client operations', async () => {
    expect((await check(analyst, { query: 'os' })).status).toBe(403);
  });
});
