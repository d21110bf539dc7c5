import { route } from '@/lib/http/route';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { quarantineIdParamsSchema } from '@/lib/quarantine/quarantine.schema';

/** Puts a quarantined item back in its queue (audited); 409 when it still cannot be processed. */
export const POST = route({ permission: 'editSiteSettings', params: quarantineIdParamsSchema }, async ({ params, actor }) =>
  decideQuarantinedItem({ id: params.id, action: 'retry', actor }),
);
