import { z } from 'zod';
import { safeText } from '../validation/primitives';

export const listCollectionsQuerySchema = z.object({
  search: safeText(100).optional(),
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
  /** When the definition was last saved: the version an edit names as `baseUpdatedAt`. */
  updatedAt: string;
  limitingCollectionId: number | null;
  /** Each rule read as a sentence, with what the edit form needs to show it again. */
  rules: {
    id: number;
    kind: 'DIRECT' | 'QUERY' | 'INCLUDE' | 'EXCLUDE';
    description: string;
    name: string;
    deviceId: number | null;
    deviceName: string | null;
    query: unknown;
    collectionId: number | null;
  }[];
}
