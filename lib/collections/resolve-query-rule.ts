import type { QueryRule } from './collection-rule.schema';
import type { ResolvedCondition, ResolvedQueryRule } from './device-query-sql';
import { comparePackageVersions, compareVersionText, satisfies } from './package-version';

/** What resolving a rule needs to read; ruleLookups (rule-lookup-repo.ts) reads it from the database. */
export interface RuleLookups {
  /** Every product whose name equals `name` ignoring case, each version and architecture. */
  productsNamed(name: string): Promise<{ id: number; version: string; source: string }[]>;
  /** The distinct operating system versions devices report. */
  osVersions(): Promise<string[]>;
}

/**
 * Makes the version comparisons SQL cannot (Debian and rpm version order): a software condition
 * becomes the ids of the products it matches, an OS version comparison the versions it matches.
 * Evaluation and member preview both resolve through here, so both see the same members.
 */
export async function resolveQueryRule(rule: QueryRule, lookups: RuleLookups): Promise<ResolvedQueryRule> {
  const conditions = await Promise.all(
    rule.conditions.map(async (c): Promise<ResolvedCondition> => {
      switch (c.field) {
        case 'software':
        case 'notSoftware': {
          const products = await lookups.productsNamed(c.name);
          const { version } = c;
          const matching = version
            ? products.filter((p) => satisfies(comparePackageVersions(p.version, version.value, p.source), version.op))
            : products;
          return { ...c, productIds: matching.map((p) => p.id) };
        }
        case 'osVersion': {
          if (c.op === 'equals' || c.op === 'startsWith') return { ...c, matchingVersions: null };
          const { op, value } = c;
          const versions = (await lookups.osVersions()).filter((v) => satisfies(compareVersionText(v, value), op));
          return { ...c, matchingVersions: versions };
        }
        default:
          return c;
      }
    }),
  );
  return { ...rule, conditions };
}
