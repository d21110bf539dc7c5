import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteRule, PATCH as patchRule } from '@/app/api/status-filter-rules/[id]/route';
import { POST as moveRule } from '@/app/api/status-filter-rules/[id]/move/route';
import { POST as createRule } from '@/app/api/status-filter-rules/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { auditCount, withAuditsRefused } from '../../support/refuse-audits';

const rules = async () =>
  (await pool().query(`SELECT id, name, priority, enabled, updated_by, run_program FROM status_filter_rule ORDER BY priority`)).rows;

describe('status filter rule changes and their audits', () => {
  let admin: TestSession;
  let ruleId: number;

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    ruleId = (await rules())[1].id;
  });

  const create = (body: unknown) => createRule(request('/api/status-filter-rules', { method: 'POST', headers: admin.headers, body }));
  const patch = (body: unknown) =>
    patchRule(request('/api/status-filter-rules/x', { method: 'PATCH', headers: admin.headers, body }), withParams({ id: String(ruleId) }));
  const move = (direction: string) =>
    moveRule(
      request('/api/status-filter-rules/x/move', { method: 'POST', headers: admin.headers, body: { direction } }),
      withParams({ id: String(ruleId) }),
    );
  const remove = () =>
    deleteRule(request('/api/status-filter-rules/x', { method: 'DELETE', headers: admin.headers }), withParams({ id: String(ruleId) }));

  it('makes no rule change whose audit the database refuses: the rules and their order stay as they were', async () => {
    const before = await rules();
    const answers = await withAuditsRefused(async () => [
      await create({ name: 'Unaudited', runProgram: { kind: 'webhook', url: 'https://example.com/hook' } }),
      await patch({ enabled: false }),
      await move('up'),
      await remove(),
    ]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 500]);
    expect(await rules()).toEqual(before);
  });

  it('audits each rule change once it is made', async () => {
    const audits = await auditCount();
    const created = await create({ name: 'Audited', runProgram: { kind: 'webhook', url: 'https://example.com/hook' } });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ name: 'Audited', enabled: true, runProgram: { kind: 'webhook', timeoutSeconds: 30 } });
    expect((await patch({ enabled: false })).status).toBe(200);
    expect((await move('up')).status).toBe(200);
    const after = await rules();
    expect(after[0]).toMatchObject({ id: ruleId, enabled: false, updated_by: admin.userName });
    expect(after.at(-1)).toMatchObject({ name: 'Audited', run_program: { kind: 'webhook', url: 'https://example.com/hook', timeoutSeconds: 30 } });
    expect((await remove()).status).toBe(200);
    expect((await rules()).map((r) => r.id)).not.toContain(ruleId);
    expect(await auditCount()).toBe(audits + 4);
  });
});
