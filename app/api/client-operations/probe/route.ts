import { randomUUID } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';
import { runtime } from '@/lib/runtime';

/**
 * Channel probe: a bare broadcast to every agent connected to this management point process,
 * with no database work, stamped with the time it was sent (agents can time the channel itself).
 */
export const POST = route({ permission: 'runClientOperations' }, async () => {
  const server = runtime().notificationServer;
  if (!server) throw new AppError('UNAVAILABLE', { userMessage: 'This process runs no notification server.' });
  const probe = { probeId: randomUUID(), sentAt: Date.now() };
  return { ...probe, agents: server.probe(probe), serverId: server.instanceId };
});
