import { route } from '@/lib/http/route';
import { listFilterRules } from '@/lib/status/repo';
import { testFilterRulesSchema } from '@/lib/status/status-filter-rule.schema';
import { testFilterRules } from '@/lib/status/test-filter-rules';

/** "Test a message": which rules would match it and what each would do. Nothing is stored or run. */
export const POST = route({ permission: 'readConsole', body: testFilterRulesSchema }, async ({ body }) =>
  testFilterRules({ message: body.message, rules: await listFilterRules() }),
);
