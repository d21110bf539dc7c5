import { z } from 'zod';

export const listCollectionsQuerySchema = z.object({
  search: z.string().trim().max(100, 'must be at most 100 characters').optional(),
});

export interface CollectionRow {
  id: number;
  collectionId: string;
  name: string;
  comment: string;
  memberCount: number;
  limitingCollection: string | null;
  lastEvaluatedAt: string | null;
  builtIn: boolean;
}

export interface CollectionDetail extends CollectionRow {
  refreshMinutes: number;
  rules: { id: number; kind: string; description: string }[];
}
