import { route } from '@/lib/http/route';
import { bulkChangeMeteringRules } from '@/lib/metering/bulk-change-metering-rules';
import { meteringRulesBulkSchema } from '@/lib/metering/metering-rule.schema';

/** Enables, disables or deletes the rules named (`{ action, ids }`), at once. */
export const POST = route({ permission: 'editMeteringRules', body: meteringRulesBulkSchema }, async ({ body, actor }) =>
  bulkChangeMeteringRules({ actor, change: body }),
);
