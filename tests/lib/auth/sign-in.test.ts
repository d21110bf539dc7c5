import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapAdministrator } from '@/lib/auth/bootstrap-admin';
import { endSession, resolveSession } from '@/lib/auth/sessions';
import { signIn } from '@/lib/auth/sign-in';
import { pool } from '@/lib/db/pool';
import { AppError } from '@/lib/errors';
import { createUser } from '@/lib/users/create-user';
import { updateUser } from '@/lib/users/update-user';
import { useTestDatabase } from '../../support/database';

const address = '192.0.2.10';
const userAgent = 'vitest';

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('console sign-in', () => {
  let adminPassword: string;

  beforeAll(async () => {
    await useTestDatabase();
    const admin = await bootstrapAdministrator({});
    adminPassword = admin!.oneTimePassword!;
  });

  it('creates the first administrator once, with a one-time password to change', async () => {
    expect(adminPassword).toHaveLength(20);
    expect(await bootstrapAdministrator({})).toBeNull();
    const { rows } = await pool().query(`SELECT role, must_change_password FROM console_user WHERE user_name = 'admin'`);
    expect(rows).toEqual([{ role: 'FULL_ADMINISTRATOR', must_change_password: true }]);
  });

  it('opens a session for the right password and resolves it from the token', async () => {
    const result = await signIn({ userName: 'admin', password: adminPassword, address, userAgent });
    expect(result.mustChangePassword).toBe(true);
    const session = await resolveSession({ token: result.token });
    expect(session?.principal).toMatchObject({ userName: 'admin', role: 'FULL_ADMINISTRATOR' });
    expect(session?.csrfToken).toBe(result.csrfToken);
    // Only the token's hash is stored.
    const { rows } = await pool().query(`SELECT id FROM console_session`);
    expect(rows.map((r) => r.id)).not.toContain(result.token);
  });

  it('says the same for an unknown user and a wrong password', async () => {
    const unknown = await failure(signIn({ userName: 'nobody', password: 'whatever-it-is', address, userAgent }));
    const wrong = await failure(signIn({ userName: 'admin', password: 'wrong-password!', address, userAgent }));
    expect(unknown.userMessage).toBe(wrong.userMessage);
    expect(unknown.code).toBe('UNAUTHENTICATED');
  });

  it('slows repeated bad passwords down, and lets the right one in once the wait is over', async () => {
    const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address };
    await createUser({ actor, input: { userName: 'alice', displayName: '', role: 'READ_ONLY_ANALYST', password: 'alice-password-1' } });
    const start = new Date();
    for (let i = 0; i < 3; i++) {
      expect((await failure(signIn({ userName: 'alice', password: 'nope-nope-nope', address, userAgent, now: start }))).code).toBe('UNAUTHENTICATED');
    }
    const limited = await failure(signIn({ userName: 'alice', password: 'alice-password-1', address, userAgent, now: start }));
    expect(limited.code).toBe('RATE_LIMITED');
    expect(limited.retryAfterSeconds).toBe(1);
    const later = new Date(start.getTime() + 1500);
    await expect(signIn({ userName: 'alice', password: 'alice-password-1', address, userAgent, now: later })).resolves.toMatchObject({
      userName: 'alice',
    });
  });

  it('lets no more wrong passwords through when they arrive at once than when they arrive one after another', async () => {
    const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address };
    await createUser({ actor, input: { userName: 'bob', displayName: '', role: 'READ_ONLY_ANALYST', password: 'bob-password-12' } });
    const now = new Date();
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        failure(signIn({ userName: 'bob', password: `guess-number-${i}`, address: `198.51.100.${i}`, userAgent, now })),
      ),
    );
    const codes = attempts.map((e) => e.code);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(3);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(9);
    const { rows } = await pool().query(`SELECT failed_sign_ins FROM console_user WHERE user_name = 'bob'`);
    expect(rows[0].failed_sign_ins).toBe(3);
  });

  it('ends sessions on sign-out, expiry, idleness and when the user is disabled', async () => {
    const s1 = await signIn({ userName: 'alice', password: 'alice-password-1', address, userAgent });
    const soon = await resolveSession({ token: s1.token });
    expect(soon).not.toBeNull();
    expect(await resolveSession({ token: s1.token, now: new Date(Date.now() + 3 * 3_600_000) })).toBeNull();
    expect(await resolveSession({ token: s1.token, now: new Date(Date.now() + 13 * 3_600_000) })).toBeNull();
    await endSession(soon!.sessionId);
    expect(await resolveSession({ token: s1.token })).toBeNull();

    const s2 = await signIn({ userName: 'alice', password: 'alice-password-1', address, userAgent });
    const { rows } = await pool().query(`SELECT id FROM console_user WHERE user_name = 'alice'`);
    const actor = { principal: { userId: 1, userName: 'admin', role: 'FULL_ADMINISTRATOR' as const }, address };
    await updateUser({ actor, userId: rows[0].id, input: { disabled: true } });
    expect(await resolveSession({ token: s2.token })).toBeNull();
    expect((await failure(signIn({ userName: 'alice', password: 'alice-password-1', address, userAgent }))).userMessage).toMatch(/disabled/);
  });

  it('keeps at least one active Full Administrator', async () => {
    const { rows } = await pool().query(`SELECT id FROM console_user WHERE user_name = 'admin'`);
    // An administrator since removed (one's own role is refused before this is asked).
    const actor = { principal: { userId: 2_000_000_000, userName: 'former-admin', role: 'FULL_ADMINISTRATOR' as const }, address };
    const error = await failure(updateUser({ actor, userId: rows[0].id, input: { role: 'READ_ONLY_ANALYST' } }));
    expect(error.code).toBe('CONFLICT');
    expect(error.userMessage).toMatch(/at least one active Full Administrator/);
  });

  it('writes an audit status message for each change, naming who, what and from where', async () => {
    const { rows } = await pool().query(
      `SELECT m AS payload FROM status_inbox i, jsonb_array_elements(i.messages::jsonb) WITH ORDINALITY AS x(m, n)
        WHERE m->>'type' = 'AUDIT' AND m->'properties'->>'ObjectName' = 'alice' ORDER BY i.id, n`,
    );
    const kinds = rows.map((r) => r.payload.messageId);
    expect(kinds).toEqual([30000, 30001]);
    const modified = rows[1].payload;
    expect(modified.properties).toMatchObject({ UserName: 'admin', Address: address, ObjectType: 'ConsoleUser' });
    expect(JSON.parse(modified.properties.OldValue)).toMatchObject({ disabled: false });
    expect(JSON.parse(modified.properties.NewValue)).toMatchObject({ disabled: true });
  });
});
