import { route } from '@/lib/http/route';
import { diffQuerySchema } from '@/lib/sitecontrol/site-control-change.schema';
import { diffSiteControlSerials } from '@/lib/sitecontrol/site-settings-view';

/** Every setting that differs between serials `from` and `to`. */
export const GET = route({ query: diffQuerySchema }, async ({ query }) => diffSiteControlSerials({ from: query.from, to: query.to }));
