import { z } from 'zod';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';
import { deleteFilterRule } from '@/lib/status/delete-filter-rule';
import { filterRulePatchSchema } from '@/lib/status/status-filter-rule.schema';
import { updateFilterRule } from '@/lib/status/update-filter-rule';

const params = z.object({ id: int4IdParam() });

/** Changes some fields of a rule; `{ "enabled": false }` disables it. `baseUpdatedAt`, when sent, must be the current version (else 409). */
export const PATCH = route({ permission: 'editStatusFilterRules', params, body: filterRulePatchSchema }, async ({ params, body, actor }) =>
  updateFilterRule({ actor, id: params.id, patch: body }),
);

export const DELETE = route({ permission: 'editStatusFilterRules', params }, async ({ params, actor }) => {
  await deleteFilterRule({ actor, id: params.id });
  return { deleted: true };
});
