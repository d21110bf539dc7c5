import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { processSlot } from '../process-singleton';
import { PrismaClient } from './generated/client';
import { pool } from './pool';

// One client per process, on the process's one pool: when that pool is replaced (closePool, a
// test moving to another database), the next call makes a client on the new one.
const slot = processSlot<{ client: PrismaClient; pool: pg.Pool }>('prisma');

export function prisma(): PrismaClient {
  const current = pool();
  let held = slot.get();
  if (held?.pool !== current) {
    void held?.client.$disconnect().catch(() => undefined);
    held = { client: new PrismaClient({ adapter: new PrismaPg(current) }), pool: current };
    slot.set(held);
  }
  return held.client;
}

/** Disconnects the client; the pool stays open until closePool(). */
export async function closePrisma(): Promise<void> {
  const held = slot.get();
  slot.set(undefined);
  await held?.client.$disconnect();
}

export type { PrismaClient };
export * as Db from './generated/client';

/** Whether a Prisma update or delete found no row to change: another request deleted it meanwhile. */
export function isRecordGone(error: unknown): boolean {
  return (error as { code?: string }).code === 'P2025';
}
