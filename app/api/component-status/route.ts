import { route } from '@/lib/http/route';
import { readComponentStatus } from '@/lib/summarizers/read-component-status';
import { intervalQuerySchema } from '@/lib/summarizers/summarizer.schema';

/** The Component Status view: every component of a site with its counts, status, state and availability. */
export const GET = route({ permission: 'readConsole', query: intervalQuerySchema }, async ({ query }) => readComponentStatus({ query }));
