import { beforeAll, describe, expect, it } from 'vitest';
import { POST as changePassword } from '@/app/api/auth/password/route';
import { PATCH as patchUser } from '@/app/api/users/[id]/route';
import { POST as resetPassword } from '@/app/api/users/[id]/reset-password/route';
import { POST as createUser } from '@/app/api/users/route';
import { pool } from '@/lib/db/pool';
import { request, signInAs, withParams, type TestSession } from '../../support/console-session';
import { useTestDatabase } from '../../support/database';
import { auditCount, withAuditsRefused } from '../../support/refuse-audits';

const userRow = async (id: number) =>
  (
    await pool().query(
      `SELECT user_name, display_name, role::text AS role, password_hash, must_change_password, disabled_at FROM console_user WHERE id = $1`,
      [id],
    )
  ).rows[0];
const openSessions = async (userId: number) =>
  (await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM console_session WHERE user_id = $1 AND revoked_at IS NULL`, [userId])).rows[0].n;

describe('console user changes and their audits', () => {
  let admin: TestSession;
  let target: TestSession;

  beforeAll(async () => {
    await useTestDatabase();
    admin = await signInAs('FULL_ADMINISTRATOR');
    target = await signInAs('OPERATIONS_ADMINISTRATOR');
  });

  const patch = (body: unknown) =>
    patchUser(request('/api/users/x', { method: 'PATCH', headers: admin.headers, body }), withParams({ id: String(target.userId) }));
  const reset = () =>
    resetPassword(request('/api/users/x/reset-password', { method: 'POST', headers: admin.headers }), withParams({ id: String(target.userId) }));

  it('makes no user change whose audit the database refuses: the user, their password and their sessions stay as they were', async () => {
    const before = await userRow(target.userId);
    const answers = await withAuditsRefused(async () => [
      await createUser(request('/api/users', { method: 'POST', headers: admin.headers, body: { userName: 'unaudited', role: 'READ_ONLY_ANALYST' } })),
      await patch({ displayName: 'Unaudited' }),
      await patch({ role: 'READ_ONLY_ANALYST' }),
      await patch({ disabled: true }),
      await reset(),
      await changePassword(
        request('/api/auth/password', {
          method: 'POST',
          headers: target.headers,
          body: { currentPassword: 'test-password-123', newPassword: 'an-unaudited-password-1' },
        }),
      ),
    ]);
    expect(answers.map((a) => a.status)).toEqual([500, 500, 500, 500, 500, 500]);
    expect((await pool().query(`SELECT 1 FROM console_user WHERE user_name = 'unaudited'`)).rowCount).toBe(0);
    expect(await userRow(target.userId)).toEqual(before);
    expect(await openSessions(target.userId)).toBe(1);
  });

  it('audits each user change once it is made', async () => {
    const audits = await auditCount();
    expect(
      (await createUser(request('/api/users', { method: 'POST', headers: admin.headers, body: { userName: 'audited', role: 'READ_ONLY_ANALYST' } })))
        .status,
    ).toBe(200);
    expect((await patch({ displayName: 'Audited' })).status).toBe(200);
    expect((await reset()).status).toBe(200);
    expect(await openSessions(target.userId)).toBe(0);
    expect(await userRow(target.userId)).toMatchObject({ display_name: 'Audited', must_change_password: true });
    expect(await auditCount()).toBe(audits + 3);
  });
});
