import { collectionPreviewSchema } from '@/lib/collections/collection-input.schema';
import { previewCollection } from '@/lib/collections/save-collection';
import { route } from '@/lib/http/route';

/** The members a collection's rules would give now, before saving (POST: the rules travel in the body). */
export const POST = route({ permission: 'readConsole', body: collectionPreviewSchema }, async ({ body }) => previewCollection(body));
