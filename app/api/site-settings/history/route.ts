import { route } from '@/lib/http/route';
import { readSiteControlHistory } from '@/lib/sitecontrol/site-settings-view';

/** The current serial and the last 100 before it: who, when, which properties. */
export const GET = route({}, async () => readSiteControlHistory());
