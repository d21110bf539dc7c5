import { z } from 'zod';
import { int4Id, requiredText, safeDate, safeText } from '../validation/primitives';
import { queryRuleSchema } from './collection-rule.schema';

/** One membership rule as the console's form sends it. */
export const collectionRuleInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('DIRECT'), deviceId: int4Id('choose a device') }),
  z.object({ kind: z.literal('QUERY'), name: safeText(100).default(''), query: queryRuleSchema }),
  z.object({ kind: z.literal('INCLUDE'), collectionId: int4Id('choose a collection') }),
  z.object({ kind: z.literal('EXCLUDE'), collectionId: int4Id('choose a collection') }),
]);
export type CollectionRuleInput = z.infer<typeof collectionRuleInputSchema>;

/** A collection's definition: what the create and edit forms send. */
export const collectionInputSchema = z.object({
  name: requiredText(100),
  comment: safeText(500).default(''),
  limitingCollectionId: int4Id().nullable().default(null),
  refreshMinutes: z
    .number({ error: 'must be a number of minutes' })
    .int('must be whole minutes')
    .min(5, 'must be at least 5')
    .max(10_080, 'must be at most 10080 (a week)')
    .default(60),
  rules: z.array(collectionRuleInputSchema).max(200, 'at most 200 rules').default([]),
});
export type CollectionInput = z.infer<typeof collectionInputSchema>;

/**
 * An edit: the collection as it is to be saved and, from the console, the version it was made
 * from (`updatedAt` as read), so a form opened before someone else's save never overwrites it unseen.
 */
export const collectionEditSchema = collectionInputSchema.safeExtend({ baseUpdatedAt: safeDate().optional() });
export type CollectionEdit = z.infer<typeof collectionEditSchema>;

/** What the form asks to preview: the members its rules would give, before saving. */
export const collectionPreviewSchema = z.object({
  /** The collection being edited, so a rule that refers back to it is caught as a cycle. */
  id: int4Id().nullable().default(null),
  limitingCollectionId: int4Id().nullable().default(null),
  rules: z.array(collectionRuleInputSchema).max(200).default([]),
});
export type CollectionPreviewInput = z.infer<typeof collectionPreviewSchema>;

export interface CollectionPreview {
  count: number;
  /** The first members by name. */
  sample: { id: number; name: string; osName: string; ipAddress: string | null; siteCode: string }[];
}
