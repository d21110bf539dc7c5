import { route } from '@/lib/http/route';
import { readSiteSettingsView } from '@/lib/sitecontrol/site-settings-view';

/** The site control document in effect, its serial, and the latest changes (pending or refused). */
export const GET = route({}, async () => readSiteSettingsView());
