import { z } from 'zod';
import { getCollectionOrThrow } from '@/lib/collections/list-collections';
import { route } from '@/lib/http/route';

const params = z.object({ id: z.coerce.number().int().positive() });

export const GET = route({ params }, async ({ params }) => getCollectionOrThrow(params.id));
