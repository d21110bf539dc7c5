import { route } from '@/lib/http/route';
import { readComponentStatus } from '@/lib/summarizers/read-component-status';
import { componentStatusQuerySchema } from '@/lib/summarizers/summarizer.schema';

/**
 * The Component Status view: a site's components with their counts, status, state and
 * availability, worst first, a window at a time (`offset`, `limit`), with the site's tallies.
 */
export const GET = route({ permission: 'readConsole', query: componentStatusQuerySchema }, async ({ query }) => readComponentStatus({ query }));
