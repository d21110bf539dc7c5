import { listCollections } from '@/lib/collections/list-collections';
import { listCollectionsQuerySchema } from '@/lib/collections/list-collections.schema';
import { route } from '@/lib/http/route';

export const GET = route({ query: listCollectionsQuerySchema }, async ({ query }) => listCollections(query));
