import { z } from 'zod';
import { pool } from '@/lib/db/pool';
import { route } from '@/lib/http/route';
import { int8IdParam } from '@/lib/validation/primitives';
import { getStatusMessageOrThrow } from '@/lib/status-viewer/list-status-messages';

/** One stored message with its description and every property. */
export const GET = route({ permission: 'readConsole', params: z.object({ id: int8IdParam() }) }, async ({ params }) =>
  getStatusMessageOrThrow({ db: pool(), id: params.id }),
);
