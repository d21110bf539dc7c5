import { collectionInputSchema } from '@/lib/collections/collection-input.schema';
import { listCollections } from '@/lib/collections/list-collections';
import { listCollectionsQuerySchema } from '@/lib/collections/list-collections.schema';
import { createCollection } from '@/lib/collections/save-collection';
import { route } from '@/lib/http/route';

export const GET = route({ query: listCollectionsQuerySchema }, async ({ query }) => listCollections(query));

/** A new collection; evaluated at once. Rules naming missing devices or collections are refused with 400. */
export const POST = route({ permission: 'editCollections', body: collectionInputSchema }, async ({ actor, body }) =>
  createCollection({ actor, input: body }),
);
