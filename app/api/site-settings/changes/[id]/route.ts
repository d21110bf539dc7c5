import { route } from '@/lib/http/route';
import { deltaParamsSchema } from '@/lib/sitecontrol/site-control-change.schema';
import { readDelta } from '@/lib/sitecontrol/site-settings-view';

/** Where one change is in the flow (PENDING, QUEUED, MERGED, APPLIED or REJECTED) and the serial it became. */
export const GET = route({ params: deltaParamsSchema }, async ({ params }) => ({ change: await readDelta({ id: params.id }) }));
