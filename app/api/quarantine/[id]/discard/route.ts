import { route } from '@/lib/http/route';
import { decideQuarantinedItem } from '@/lib/quarantine-review/decide-quarantined-item';
import { quarantineIdParamsSchema } from '@/lib/quarantine/quarantine.schema';

/** Drops a quarantined item for good (audited); the row stays, marked discarded. */
export const POST = route({ permission: 'editSiteSettings', params: quarantineIdParamsSchema }, async ({ params, actor }) =>
  decideQuarantinedItem({ id: params.id, action: 'discard', actor }),
);
