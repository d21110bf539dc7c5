import { z } from 'zod';
import { route } from '@/lib/http/route';
import { deleteMeteringRule } from '@/lib/metering/delete-metering-rule';
import { meteringRulePatchSchema } from '@/lib/metering/metering-rule.schema';
import { updateMeteringRule } from '@/lib/metering/update-metering-rule';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** Changes some fields of a rule; `{ "enabled": false }` disables it. `baseUpdatedAt`, when sent, must be the current version (else 409). */
export const PATCH = route({ permission: 'editMeteringRules', params, body: meteringRulePatchSchema }, async ({ params, body, actor }) =>
  updateMeteringRule({ actor, id: params.id, patch: body }),
);

export const DELETE = route({ permission: 'editMeteringRules', params }, async ({ params, actor }) => {
  await deleteMeteringRule({ actor, id: params.id });
  return { deleted: true };
});
