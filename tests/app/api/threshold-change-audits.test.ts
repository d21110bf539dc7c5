import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteThreshold, PUT as putThreshold } from '@/app/api/summarizers/thresholds/[id]/route';
import { POST as createThreshold } from '@/app/api/summarizers/thresholds/route';
import { pool } from '@/lib/db/pool';
import { seedDemoSite } from '@/lib/seed/seed-demo-site';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { auditCount, withAuditsRefused } from '../../support/refuse-audits';

const thresholds = async () =>
  (await pool().query(`SELECT id, site_code, component, message_id, severity::text, warning_at, critical_at FROM summarizer_threshold ORDER BY id`))
    .rows;

describe('status summarizer threshold changes and their audits', () => {
  let admin: TestSession;
  let id: number;
  const input = { component: 'SMS_MP_CONTROL_MANAGER', severity: 'ERROR', warningAt: 10, criticalAt: 20 };

  beforeAll(async () => {
    await useTestDatabase();
    await seedDemoSite({ devices: 0 });
    admin = await signInAs('FULL_ADMINISTRATOR');
    const created = await createThreshold(request('/api/summarizers/thresholds', { method: 'POST', headers: admin.headers, body: input }));
    id = (await created.json()).id;
  });

  const create = (body: unknown) => createThreshold(request('/api/summarizers/thresholds', { method: 'POST', headers: admin.headers, body }));
  const put = (body: unknown) =>
    putThreshold(request(`/api/summarizers/thresholds/${id}`, { method: 'PUT', headers: admin.headers, body }), withParams({ id: String(id) }));
  const remove = () =>
    deleteThreshold(request(`/api/summarizers/thresholds/${id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id: String(id) }));

  it('makes no threshold change whose audit the database refuses: the thresholds stay as they were', async () => {
    const before = await thresholds();
    const answers = await withAuditsRefused(async () => [
      await create({ ...input, component: 'SMS_STATUS_MANAGER' }),
      await put({ ...input, warningAt: 15 }),
      await remove(),
    ]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(await thresholds()).toEqual(before);
  });

  it('audits each threshold change once it is made', async () => {
    const audits = await auditCount();
    expect((await create({ ...input, component: 'SMS_STATUS_MANAGER' })).status).toBe(201);
    expect(await (await put({ ...input, warningAt: 15 })).json()).toMatchObject({ id, warningAt: 15 });
    expect((await remove()).status).toBe(200);
    expect((await thresholds()).map((t) => t.id)).not.toContain(id);
    expect(await auditCount()).toBe(audits + 3);
  });
});
