import { systemClock } from '@/lib/clock';
import { clientStatusQuerySchema } from '@/lib/client-status/client-status.schema';
import { readClientStatusOverview } from '@/lib/client-status/read-client-status';
import { route } from '@/lib/http/route';
import { readClientStatusSettings } from '@/lib/sitecontrol/read-client-status-settings';

/** Client status now (online / offline, active / inactive) and per day over the last `days` days. */
export const GET = route({ permission: 'readConsole', query: clientStatusQuerySchema }, async ({ query }) =>
  readClientStatusOverview({ now: systemClock.now(), days: query.days, settings: (siteIds) => readClientStatusSettings(siteIds) }),
);
