import { z } from 'zod';
import { rawText, requiredText, safeDate, safeText } from '../validation/primitives';
import { statusMessageFilterFields, type StatusMessageFilterField } from './status-message-filters.schema';

/** A criterion the query asks for when it runs, with the label the viewer shows. */
export const promptSchema = z.object({ prompt: requiredText(100) });

/**
 * A query's criteria: viewer filters (as their query-parameter text) each either fixed or
 * prompted, e.g. `{ "type": "AUDIT", "from": { "prompt": "Since" } }`.
 */
export const queryCriteriaSchema = z.record(rawText(64), z.union([rawText(4096), promptSchema])).superRefine((criteria, ctx) => {
  for (const key of Object.keys(criteria)) {
    if (!statusMessageFilterFields.includes(key as StatusMessageFilterField)) {
      ctx.addIssue({ code: 'custom', path: [key], message: `is not a filter (use ${statusMessageFilterFields.join(', ')})` });
    }
  }
});
export type QueryCriteria = Partial<Record<StatusMessageFilterField, string | { prompt: string }>>;

export const savedQueryInputSchema = z.object({
  name: requiredText(200),
  description: safeText(1000).default(''),
  criteria: queryCriteriaSchema,
});
export type SavedQueryInput = z.infer<typeof savedQueryInputSchema>;

/**
 * A change to a saved query (PUT): the query as it is to be saved and, optionally, the version it
 * was made from (`updatedAt` as read), so an edit made before someone else's never overwrites it unseen.
 */
export const savedQueryEditSchema = savedQueryInputSchema.safeExtend({ baseUpdatedAt: safeDate().optional() });
export type SavedQueryEdit = z.infer<typeof savedQueryEditSchema>;

/** A Status Message Query as the API lists it. */
export interface StatusMessageQueryView {
  /** "builtin:<name>" for built-in queries, the number of a saved one. */
  id: string;
  name: string;
  description: string;
  builtIn: boolean;
  criteria: QueryCriteria;
  /** The prompted fields, in order, with their labels. */
  prompts: { field: StatusMessageFilterField; label: string }[];
  createdBy: string | null;
  /** When a saved query was last changed (absent on a built-in one): the version an edit names as `baseUpdatedAt`. */
  updatedAt?: string;
}
