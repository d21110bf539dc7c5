import { beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteQuery, PUT as putQuery } from '@/app/api/status-message-queries/[id]/route';
import { POST as saveQuery } from '@/app/api/status-message-queries/route';
import { pool } from '@/lib/db/pool';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { auditCount, withAuditsRefused } from '../../support/refuse-audits';

const queries = async () => (await pool().query(`SELECT id, name, description, criteria, updated_by FROM status_message_query ORDER BY id`)).rows;

describe('saved status message query changes and their audits', () => {
  let admin: TestSession;
  let id: string;
  const input = { name: 'Metering from a system', criteria: { messageId: '10907', system: { prompt: 'System' } } };

  beforeAll(async () => {
    await useTestDatabase();
    admin = await signInAs('FULL_ADMINISTRATOR');
    id = String((await (await saveQuery(request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body: input }))).json()).id);
  });

  const create = (body: unknown) => saveQuery(request('/api/status-message-queries', { method: 'POST', headers: admin.headers, body }));
  const put = (body: unknown) =>
    putQuery(request(`/api/status-message-queries/${id}`, { method: 'PUT', headers: admin.headers, body }), withParams({ id }));
  const remove = () => deleteQuery(request(`/api/status-message-queries/${id}`, { method: 'DELETE', headers: admin.headers }), withParams({ id }));

  it('makes no query change whose audit the database refuses: the saved queries stay as they were', async () => {
    const before = await queries();
    const answers = await withAuditsRefused(async () => [
      await create({ ...input, name: 'Unaudited' }),
      await put({ ...input, description: 'unaudited' }),
      await remove(),
    ]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(await queries()).toEqual(before);
  });

  it('audits each query change once it is made', async () => {
    const audits = await auditCount();
    expect((await create({ ...input, name: 'Audited' })).status).toBe(201);
    expect(await (await put({ ...input, description: 'audited' })).json()).toMatchObject({ id, description: 'audited' });
    expect((await queries()).find((q) => String(q.id) === id)).toMatchObject({ description: 'audited', updated_by: admin.userName });
    expect((await remove()).status).toBe(200);
    expect((await queries()).map((q) => q.name)).toEqual(['Audited']);
    expect(await auditCount()).toBe(audits + 3);
  });
});
