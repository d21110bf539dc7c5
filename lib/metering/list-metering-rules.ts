import { pool } from '../db/pool';
import type { MeteringRule } from './metering-rule.schema';
import { lastMonths } from './read-metering-report';
import { listMeteringRules } from './repo';
import { readMonthUsage, type UsagePoint } from './report-repo';

/** A rule as the rules page lists it: with its usage so far this month (UTC), null when nothing ran. */
export type ListedMeteringRule = MeteringRule & { thisMonth: Omit<UsagePoint, 'start'> | null };

/**
 * The software metering rules (of a site, or matching a search), each with this month's runs,
 * computers, users and run time from the metering summaries: which rules see use at a glance.
 */
export async function listMeteringRulesWithUsage(filter: { siteCode?: string; search?: string }, now = new Date()): Promise<ListedMeteringRule[]> {
  const rules = await listMeteringRules(filter);
  const usage = rules.length
    ? await readMonthUsage(
        pool(),
        rules.map((r) => r.id),
        lastMonths(now, 1)[0],
      )
    : new Map<number, UsagePoint>();
  return rules.map((rule) => {
    const month = usage.get(rule.id);
    if (!month) return { ...rule, thisMonth: null };
    const { start: _start, ...thisMonth } = month;
    return { ...rule, thisMonth };
  });
}
