import { PrismaPg } from '@prisma/adapter-pg';
import { config } from '../config';
import { PrismaClient } from './generated/client';

// One client per process; Next's bundles and server.ts share it through globalThis.
const globalForPrisma = globalThis as unknown as { siteboxPrisma?: PrismaClient };

export function prisma(): PrismaClient {
  globalForPrisma.siteboxPrisma ??= new PrismaClient({
    adapter: new PrismaPg({ connectionString: config().databaseUrl, max: 10 }),
  });
  return globalForPrisma.siteboxPrisma;
}

export async function closePrisma(): Promise<void> {
  const p = globalForPrisma.siteboxPrisma;
  globalForPrisma.siteboxPrisma = undefined;
  await p?.$disconnect();
}

export type { PrismaClient };
export * as Db from './generated/client';
