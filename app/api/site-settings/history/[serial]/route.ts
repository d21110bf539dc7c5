import { route } from '@/lib/http/route';
import { serialParamsSchema } from '@/lib/sitecontrol/site-control-change.schema';
import { readSiteControlAtSerial } from '@/lib/sitecontrol/site-settings-view';

/** The whole document at one serial. */
export const GET = route({ params: serialParamsSchema }, async ({ params }) => readSiteControlAtSerial({ serial: params.serial }));
