import { z } from 'zod';
import { route } from '@/lib/http/route';
import { deleteFilterRule } from '@/lib/status/delete-filter-rule';
import { filterRulePatchSchema } from '@/lib/status/status-filter-rule.schema';
import { updateFilterRule } from '@/lib/status/update-filter-rule';

const params = z.object({ id: z.coerce.number().int().min(1).max(2_147_483_647) });

/** Changes some fields of a rule; `{ "enabled": false }` disables it. */
export const PATCH = route({ permission: 'editStatusFilterRules', params, body: filterRulePatchSchema }, async ({ params, body, actor }) =>
  updateFilterRule({ actor, id: params.id, patch: body }),
);

export const DELETE = route({ permission: 'editStatusFilterRules', params }, async ({ params, actor }) => {
  await deleteFilterRule({ actor, id: params.id });
  return { deleted: true };
});
