import { route } from '@/lib/http/route';
import { readSiteStatus } from '@/lib/summarizers/read-site-status';
import { intervalQuerySchema } from '@/lib/summarizers/summarizer.schema';

/** Every site's rolled-up status (green / yellow / red) in the display interval. */
export const GET = route({ permission: 'readConsole', query: intervalQuerySchema }, async ({ query }) =>
  readSiteStatus({ query: { interval: query.interval, since: query.since } }),
);
