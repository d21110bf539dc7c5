import { z } from 'zod';
import { evaluateCollectionNow } from '@/lib/collections/save-collection';
import { route } from '@/lib/http/route';

const params = z.object({ id: z.coerce.number().int().positive() });

/** Update membership now, instead of waiting for the schedule. */
export const POST = route({ permission: 'editCollections', params }, async ({ actor, params }) => evaluateCollectionNow({ actor, id: params.id }));
