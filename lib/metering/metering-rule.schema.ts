import { z } from 'zod';
import { int4Id, requiredText, safeDate, safeText } from '../validation/primitives';

const siteCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code');

/** A version to match: letters, digits, . - + _ ~ : and the wildcards * and ?. */
const versionPattern = safeText(64)
  .transform((v) => (v === '' ? '*' : v))
  .refine((v) => /^[A-Za-z0-9.\-+_~:*?]+$/.test(v), 'may hold only letters, digits, . - + _ ~ : and the wildcards * and ?');

/** A file name or path pattern: an executable name, or an absolute path with * and ?. */
const fileNamePattern = requiredText(1024).refine(
  (v) => v.startsWith('/') || !v.includes('/'),
  'must be an executable name (no /) or an absolute path pattern',
);

/** What an administrator sends to create a software metering rule. */
export const meteringRuleInputSchema = z.object({
  productName: requiredText(200),
  fileName: fileNamePattern,
  originalFileName: safeText(255).default(''),
  version: versionPattern.default('*'),
  siteCode,
  comment: safeText(1000).default(''),
  enabled: z.boolean().default(true),
});
export type MeteringRuleInput = z.infer<typeof meteringRuleInputSchema>;

/**
 * A partial change (PATCH); the merged rule is validated again as a whole. The console's form also
 * names the version it was made from (`baseUpdatedAt`, `updatedAt` as read), so a form opened
 * before someone else's change never overwrites it unseen.
 */
export const meteringRulePatchSchema = z.object({ baseUpdatedAt: safeDate().optional() }).catchall(z.unknown());
export type MeteringRulePatch = z.infer<typeof meteringRulePatchSchema>;

/** Most rules one bulk change names (a page of search results, an import's worth). */
export const MAX_BULK_RULES = 1000;

/** POST /api/metering-rules/bulk: enable, disable or delete the rules named, at once. */
export const meteringRulesBulkSchema = z.object({
  action: z.enum(['enable', 'disable', 'delete'], { error: 'must be enable, disable or delete' }),
  ids: z
    .array(int4Id('must be a rule id'), { error: 'must be a list of rule ids' })
    .min(1, 'must name at least one rule')
    .max(MAX_BULK_RULES, `must name at most ${MAX_BULK_RULES} rules`)
    .refine((ids) => new Set(ids).size === ids.length, 'must name each rule once'),
});
export type MeteringRulesBulkChange = z.infer<typeof meteringRulesBulkSchema>;

/** A stored rule, as the console sees it. */
export interface MeteringRule extends MeteringRuleInput {
  id: number;
  createdAt: Date;
  updatedAt: Date;
}

export const listMeteringRulesQuerySchema = z.object({
  siteCode: siteCode.optional(),
  search: safeText(200).optional(),
});

/** Bulk import: CSV text with a header row naming the columns (see parse-rules-csv.ts). */
export const meteringRuleImportSchema = z.object({
  csv: z
    .string()
    .min(1, 'is required')
    .max(2 * 1024 * 1024, 'must be at most 2 MiB'),
  siteCode: siteCode.optional(),
});
