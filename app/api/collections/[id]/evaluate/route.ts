import { z } from 'zod';
import { evaluateCollectionNow } from '@/lib/collections/save-collection';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** Update membership now, instead of waiting for the schedule. */
export const POST = route({ permission: 'editCollections', params }, async ({ actor, params }) => evaluateCollectionNow({ actor, id: params.id }));
