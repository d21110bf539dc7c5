import { pool } from '../db/pool';
import { prisma } from '../db/prisma';
import type { Role } from './roles';

/** The thin data layer for console users and their sessions. */

export function findUserByName(userName: string) {
  return prisma().consoleUser.findUnique({ where: { userName } });
}

export function findUserById(id: number) {
  return prisma().consoleUser.findUnique({ where: { id } });
}

export function countUsers() {
  return prisma().consoleUser.count();
}

export function recordFailedSignIn(userId: number, at: Date) {
  return prisma().consoleUser.update({
    where: { id: userId },
    data: { failedSignIns: { increment: 1 }, lastFailedSignInAt: at },
  });
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
  const { rows } = await pool().query<SessionRow>(
    `SELECT s.expires_at, s.revoked_at, s.last_seen_at, s.csrf_token,
            u.id AS user_id, u.user_name, u.role::text AS role, u.disabled_at, u.must_change_password
       FROM console_session s JOIN console_user u ON u.id = s.user_id
      WHERE s.id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastSeenAt: row.last_seen_at,
    csrfToken: row.csrf_token,
    user: { id: row.user_id, userName: row.user_name, role: row.role, disabledAt: row.disabled_at, mustChangePassword: row.must_change_password },
  };
}

export interface SessionWithUser {
  expiresAt: Date;
  revokedAt: Date | null;
  lastSeenAt: Date;
  csrfToken: string;
  user: { id: number; userName: string; role: Role; disabledAt: Date | null; mustChangePassword: boolean };
}

interface SessionRow {
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

export function revokeUserSessions(userId: number, at: Date, exceptSessionId?: string) {
  return prisma().consoleSession.updateMany({
    where: { userId, revokedAt: null, ...(exceptSessionId ? { id: { not: exceptSessionId } } : {}) },
    data: { revokedAt: at },
  });
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

export function insertUser(data: { userName: string; displayName: string; role: Role; passwordHash: string; mustChangePassword: boolean }) {
  return prisma().consoleUser.create({ data });
}

export function updateUser(
  id: number,
  data: Partial<{
    displayName: string;
    role: Role;
    passwordHash: string;
    mustChangePassword: boolean;
    disabledAt: Date | null;
    failedSignIns: number;
  }>,
) {
  return prisma().consoleUser.update({ where: { id }, data });
}

export function countActiveFullAdministrators(exceptUserId?: number) {
  return prisma().consoleUser.count({
    where: { role: 'FULL_ADMINISTRATOR', disabledAt: null, ...(exceptUserId ? { id: { not: exceptUserId } } : {}) },
  });
}
