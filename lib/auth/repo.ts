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

export function findSessionWithUser(id: string) {
  return prisma().consoleSession.findUnique({
    where: { id },
    include: { user: { select: { id: true, userName: true, role: true, disabledAt: true, mustChangePassword: true } } },
  });
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
