import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { config } from '../config';
import { PrismaClient } from './generated/client';
import { logIdleConnectionErrors } from './pool-errors';

// One client per process; Next's bundles and server.ts share it through globalThis. Its pool is
// our own so that a connection the server ends is logged, not a crash.
const globalForPrisma = globalThis as unknown as { siteboxPrisma?: { client: PrismaClient; pool: pg.Pool } };

export function prisma(): PrismaClient {
  if (!globalForPrisma.siteboxPrisma) {
    const pool = logIdleConnectionErrors(new pg.Pool({ connectionString: config().databaseUrl, max: 10 }), 'prisma');
    globalForPrisma.siteboxPrisma = { client: new PrismaClient({ adapter: new PrismaPg(pool) }), pool };
  }
  return globalForPrisma.siteboxPrisma.client;
}

export async function closePrisma(): Promise<void> {
  const held = globalForPrisma.siteboxPrisma;
  globalForPrisma.siteboxPrisma = undefined;
  await held?.client.$disconnect();
  await held?.pool.end().catch(() => undefined);
}

export type { PrismaClient };
export * as Db from './generated/client';
