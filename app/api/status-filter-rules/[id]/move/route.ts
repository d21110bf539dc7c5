import { z } from 'zod';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';
import { moveFilterRule } from '@/lib/status/move-filter-rule';
import { moveFilterRuleSchema } from '@/lib/status/status-filter-rule.schema';

/** Moves a rule one place up or down; answers with the new order. */
export const POST = route(
  { permission: 'editStatusFilterRules', params: z.object({ id: int4IdParam() }), body: moveFilterRuleSchema },
  async ({ params, body, actor }) => ({ rules: await moveFilterRule({ actor, id: params.id, direction: body.direction }) }),
);
