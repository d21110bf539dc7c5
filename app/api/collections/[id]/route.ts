import { z } from 'zod';
import { collectionEditSchema } from '@/lib/collections/collection-input.schema';
import { getCollectionOrThrow } from '@/lib/collections/list-collections';
import { deleteCollection, editCollection } from '@/lib/collections/save-collection';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

export const GET = route({ params }, async ({ params }) => getCollectionOrThrow(params.id));

/**
 * Replaces the collection's definition and rules; an include, exclude or limit that would close a cycle is a 400.
 * `baseUpdatedAt`, when sent, must be the current version (else 409).
 */
export const PATCH = route({ permission: 'editCollections', params, body: collectionEditSchema }, async ({ actor, params, body }) =>
  editCollection({ actor, id: params.id, input: body }),
);

export const DELETE = route({ permission: 'editCollections', params }, async ({ actor, params }) => deleteCollection({ actor, id: params.id }));
