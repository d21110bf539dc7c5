import type pg from 'pg';
import { pool } from '../db/pool';
import { Db, prisma } from '../db/prisma';
import type { Role } from './roles';

type Queryable = pg.Pool | pg.ClientBase;

/** The thin data layer for console users and their sessions. */

export function findUserByName(userName: string) {
  return prisma().consoleUser.findUnique({ where: { userName } });
}

/** The user whose name is this one in any case ("Admin" finds "admin"). */
export function findUserByNameInAnyCase(userName: string) {
  return prisma().consoleUser.findFirst({ where: { userName: { equals: userName, mode: 'insensitive' } } });
}

export function findUserById(id: number) {
  return prisma().consoleUser.findUnique({ where: { id } });
}

export function countUsers() {
  return prisma().consoleUser.count();
}

/**
 * Takes a sign-in attempt for the user named `userName`, when `waitMs` (asked of the user as stored)
 * says none is due, and counts it as a failure until it succeeds. The count is taken only if no
 * other attempt took one since the read (else it reads again), so attempts arriving at once are
 * counted one after the other and each sees the wait the ones before it earned. Null when there is
 * no such user.
 */
export async function takeSignInAttempt(options: {
  userName: string;
  at: Date;
  waitMs: (user: Db.ConsoleUser) => number;
}): Promise<{ user: Db.ConsoleUser; waitMs: number } | null> {
  for (;;) {
    const user = await prisma().consoleUser.findUnique({ where: { userName: options.userName } });
    if (!user) return null;
    const waitMs = options.waitMs(user);
    if (waitMs > 0) return { user, waitMs };
    const { count } = await prisma().consoleUser.updateMany({
      where: { id: user.id, failedSignIns: user.failedSignIns },
      data: { failedSignIns: { increment: 1 }, lastFailedSignInAt: options.at },
    });
    if (count) return { user, waitMs };
  }
}

export function recordSuccessfulSignIn(userId: number, at: Date) {
  return prisma().consoleUser.update({
    where: { id: userId },
    data: { failedSignIns: 0, lastFailedSignInAt: null, lastSignInAt: at },
  });
}

export function insertSession(data: { id: string; userId: number; expiresAt: Date; csrfToken: string; address: string; userAgent: string }) {
  return prisma().consoleSession.create({ data });
}

/**
 * A session with its user, in one round trip: every console request and live socket resolves its
 * session first, so this is plain SQL (Prisma reads the user with a second query).
 */
export async function findSessionWithUser(id: string): Promise<SessionWithUser | null> {
  return (await findSessionsWithUsers([id])).get(id) ?? null;
}

/** Sessions with their users by id, in one query (those not found are left out). */
export async function findSessionsWithUsers(ids: readonly string[]): Promise<Map<string, SessionWithUser>> {
  const { rows } = await pool().query<SessionRow>(
    `SELECT s.id, s.expires_at, s.revoked_at, s.last_seen_at, s.csrf_token,
            u.id AS user_id, u.user_name, u.role::text AS role, u.disabled_at, u.must_change_password
       FROM console_session s JOIN console_user u ON u.id = s.user_id
      WHERE s.id = ANY($1::text[])`,
    [ids],
  );
  return new Map(
    rows.map((row) => [
      row.id,
      {
        expiresAt: row.expires_at,
        revokedAt: row.revoked_at,
        lastSeenAt: row.last_seen_at,
        csrfToken: row.csrf_token,
        user: { id: row.user_id, userName: row.user_name, role: row.role, disabledAt: row.disabled_at, mustChangePassword: row.must_change_password },
      },
    ]),
  );
}

export interface SessionWithUser {
  expiresAt: Date;
  revokedAt: Date | null;
  lastSeenAt: Date;
  csrfToken: string;
  user: { id: number; userName: string; role: Role; disabledAt: Date | null; mustChangePassword: boolean };
}

interface SessionRow {
  id: string;
  expires_at: Date;
  revoked_at: Date | null;
  last_seen_at: Date;
  csrf_token: string;
  user_id: number;
  user_name: string;
  role: Role;
  disabled_at: Date | null;
  must_change_password: boolean;
}

export function touchSession(id: string, at: Date) {
  return prisma().consoleSession.update({ where: { id }, data: { lastSeenAt: at } });
}

export function revokeSession(id: string, at: Date) {
  return prisma().consoleSession.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
}

/** Ends the user's open sessions, but `exceptSessionId`; on `db`, so a change can end them in its own transaction. */
export async function revokeUserSessions(db: Queryable, userId: number, at: Date, exceptSessionId?: string) {
  await db.query(`UPDATE console_session SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $3`, [
    userId,
    at,
    exceptSessionId ?? null,
  ]);
}

export function listUsers() {
  return prisma().consoleUser.findMany({
    orderBy: { userName: 'asc' },
    select: {
      id: true,
      userName: true,
      displayName: true,
      role: true,
      mustChangePassword: true,
      disabledAt: true,
      lastSignInAt: true,
      createdAt: true,
      failedSignIns: true,
    },
  });
}

/** A console_user row as Prisma names its fields. */
const userColumns = `id, user_name AS "userName", display_name AS "displayName", role::text AS role, password_hash AS "passwordHash",
  must_change_password AS "mustChangePassword", disabled_at AS "disabledAt", failed_sign_ins AS "failedSignIns",
  last_failed_sign_in_at AS "lastFailedSignInAt", last_sign_in_at AS "lastSignInAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

/**
 * Adds a user on `db`; null when the name is taken (by another request at the same moment, too:
 * that one is waited for, and the taken name leaves a caller's transaction usable).
 */
export async function insertUser(
  db: Queryable,
  data: { userName: string; displayName: string; role: Role; passwordHash: string; mustChangePassword: boolean },
): Promise<Db.ConsoleUser | null> {
  const { rows } = await db.query<Db.ConsoleUser>(
    `INSERT INTO console_user (user_name, display_name, role, password_hash, must_change_password, updated_at)
     VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (user_name) DO NOTHING RETURNING ${userColumns}`,
    [data.userName, data.displayName, data.role, data.passwordHash, data.mustChangePassword],
  );
  return rows[0] ?? null;
}

type UserFields = Partial<{
  displayName: string;
  role: Role;
  passwordHash: string;
  mustChangePassword: boolean;
  disabledAt: Date | null;
  failedSignIns: number;
}>;

const userFieldColumns: Record<keyof UserFields, string> = {
  displayName: 'display_name',
  role: 'role',
  passwordHash: 'password_hash',
  mustChangePassword: 'must_change_password',
  disabledAt: 'disabled_at',
  failedSignIns: 'failed_sign_ins',
};

/** Sets the given fields of a user on `db` (those left undefined stay); the user as changed, null when there is none. */
export async function updateUser(db: Queryable, id: number, data: UserFields): Promise<Db.ConsoleUser | null> {
  const fields = (Object.keys(userFieldColumns) as (keyof UserFields)[]).filter((field) => data[field] !== undefined);
  const sets = fields.map((field, n) => `${userFieldColumns[field]} = $${n + 2}`);
  const { rows } = await db.query<Db.ConsoleUser>(
    `UPDATE console_user SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING ${userColumns}`,
    [id, ...fields.map((field) => data[field])],
  );
  return rows[0] ?? null;
}

type UserChange = Pick<UserFields, 'displayName' | 'role' | 'disabledAt'>;

/**
 * Changes a user to what `change` decides from the stored user and how many other active Full
 * Administrators there are, with every active Full Administrator's row locked from the count to
 * the write: two administrators demoting or disabling each other at once are taken one after the
 * other, so the second sees the first and the last one is kept. Run inside the caller's
 * transaction on `client`, which holds the locks until it ends. Null when there is no such user.
 */
export async function updateUserCountingFullAdministrators(
  client: pg.ClientBase,
  id: number,
  change: (user: Db.ConsoleUser, otherActiveFullAdministrators: number) => UserChange,
): Promise<{ before: Db.ConsoleUser; after: Db.ConsoleUser } | null> {
  await client.query(`SELECT id FROM console_user WHERE role = 'FULL_ADMINISTRATOR' AND disabled_at IS NULL ORDER BY id FOR UPDATE`);
  const before = (await client.query<Db.ConsoleUser>(`SELECT ${userColumns} FROM console_user WHERE id = $1 FOR UPDATE`, [id])).rows[0];
  if (!before) return null;
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM console_user WHERE role = 'FULL_ADMINISTRATOR' AND disabled_at IS NULL AND id <> $1`,
    [id],
  );
  return { before, after: (await updateUser(client, id, change(before, rows[0].n)))! };
}
