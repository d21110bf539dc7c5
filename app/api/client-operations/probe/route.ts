import { randomUUID } from 'node:crypto';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';
import { runtime } from '@/lib/runtime';
import { channels } from '@/lib/db/channels';
import { notify } from '@/lib/db/notify';
import { pool } from '@/lib/db/pool';
import { z } from 'zod';

const probeQuery = z.object({ site: z.enum(['1']).optional() });

/**
 * Channel probe: a bare broadcast to every agent connected to this management point process,
 * with no database work, stamped with the time it was sent (agents can time the channel itself).
 * `?site=1` asks every management point of the site instead, through NOTIFY: each broadcasts it to
 * its own agents as it hears it, stamped then.
 */
export const POST = route({ permission: 'runClientOperations', query: probeQuery }, async ({ query }) => {
  if (query.site) {
    const probeId = randomUUID();
    await notify(pool(), channels.notificationProbe, probeId);
    return { probeId, sentAt: Date.now(), agents: null, serverId: null };
  }
  const server = runtime().notificationServer;
  if (!server) throw new AppError('UNAVAILABLE', { userMessage: 'This process runs no notification server.' });
  const probe = { probeId: randomUUID(), sentAt: Date.now() };
  return { ...probe, agents: server.probe(probe), serverId: server.instanceId };
});
