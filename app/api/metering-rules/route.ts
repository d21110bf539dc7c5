import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { createMeteringRule } from '@/lib/metering/create-metering-rule';
import { listMeteringRulesQuerySchema, meteringRuleInputSchema } from '@/lib/metering/metering-rule.schema';
import { listMeteringRulesWithUsage } from '@/lib/metering/list-metering-rules';

/** The software metering rules, optionally of one site or matching a search, each with this month's usage. */
export const GET = route({ permission: 'readConsole', query: listMeteringRulesQuerySchema }, async ({ query }) => ({
  rules: await listMeteringRulesWithUsage(query),
}));

export const POST = route({ permission: 'editMeteringRules', body: meteringRuleInputSchema }, async ({ body, actor }) =>
  NextResponse.json(await createMeteringRule({ actor, input: body }), { status: 201 }),
);
