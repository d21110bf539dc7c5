import { systemClock } from '@/lib/clock';
import { inactiveClientsQuerySchema } from '@/lib/client-status/client-status.schema';
import { listInactiveClients } from '@/lib/client-status/read-client-status';
import { route } from '@/lib/http/route';
import { readClientStatusSettings } from '@/lib/sitecontrol/read-client-status-settings';

/** One page of the inactive clients with the reason each is inactive, longest silent first. */
export const GET = route({ permission: 'readConsole', query: inactiveClientsQuerySchema }, async ({ query }) =>
  listInactiveClients({ query, now: systemClock.now(), settings: (siteIds) => readClientStatusSettings(siteIds) }),
);
