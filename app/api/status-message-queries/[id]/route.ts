import { z } from 'zod';
import { route } from '@/lib/http/route';
import { deleteStatusMessageQuery, updateStatusMessageQuery } from '@/lib/status-viewer/saved-queries';
import { findStatusMessageQueryOrThrow } from '@/lib/status-viewer/status-queries';
import { savedQueryEditSchema } from '@/lib/status-viewer/status-query.schema';

const params = z.object({ id: z.string().min(1).max(64) });

export const GET = route({ permission: 'readConsole', params }, async ({ params }) => findStatusMessageQueryOrThrow(params.id));

/** Replaces a saved query. `baseUpdatedAt`, when sent, must be the current version (else 409). */
export const PUT = route({ permission: 'editStatusMessageQueries', params, body: savedQueryEditSchema }, async ({ params, body, actor }) =>
  updateStatusMessageQuery({ actor, id: params.id, input: body }),
);

export const DELETE = route({ permission: 'editStatusMessageQueries', params }, async ({ params, actor }) => {
  await deleteStatusMessageQuery({ actor, id: params.id });
  return { deleted: true };
});
