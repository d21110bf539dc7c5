import { z } from 'zod';
import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { getStatusMessageOrThrow } from '@/lib/status-viewer/list-status-messages';

/** One stored message with its description and every property. */
export const GET = route(
  { permission: 'readConsole', params: z.object({ id: z.string().regex(/^\d{1,19}$/, 'must be a message number') }) },
  async ({ params }) => getStatusMessageOrThrow({ db: pool(), id: params.id }),
);
