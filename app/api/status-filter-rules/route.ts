import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { createFilterRule } from '@/lib/status/create-filter-rule';
import { listFilterRules } from '@/lib/status/repo';
import { filterRuleInputSchema } from '@/lib/status/status-filter-rule.schema';

/** The status filter rules in the order Status Manager evaluates them. */
export const GET = route({ permission: 'readConsole' }, async () => ({ rules: await listFilterRules() }));

/** A new rule, placed last (lowest priority). */
export const POST = route({ permission: 'editStatusFilterRules', body: filterRuleInputSchema }, async ({ body, actor }) =>
  NextResponse.json(await createFilterRule({ actor, input: body }), { status: 201 }),
);
