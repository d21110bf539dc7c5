import { z } from 'zod';

export const quarantineStateSchema = z.enum(['QUARANTINED', 'RETRIED', 'DISCARDED']);

/** GET /api/quarantine: a page of items in one state (those waiting for a decision by default). */
export const listQuarantineQuerySchema = z.object({
  state: quarantineStateSchema.default('QUARANTINED'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListQuarantineQuery = z.infer<typeof listQuarantineQuerySchema>;

/** A quarantined item's id (a bigint, as decimal text). */
export const quarantineIdParamsSchema = z.object({
  id: z.string().regex(/^[1-9][0-9]{0,17}$/, 'must be a quarantined item id'),
});

/** A quarantined item as the console shows it. */
export interface QuarantinedItemView {
  id: string;
  source: string;
  itemKey: string;
  payload: string;
  error: string;
  errorCode: string | null;
  state: z.infer<typeof quarantineStateSchema>;
  attempts: number;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

export interface QuarantinePage {
  rows: QuarantinedItemView[];
  total: number;
}
