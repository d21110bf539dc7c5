import { z } from 'zod';
import { route } from '@/lib/http/route';
import { readMessageRates } from '@/lib/summarizers/read-message-rates';

const query = z.object({
  site: z
    .string()
    .regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code')
    .optional(),
  componentId: z.coerce.number().int().min(1).max(2_147_483_647).optional(),
});

/** Message rates by severity over the last hour (per minute) and day (per hour), for a site or one component. */
export const GET = route({ permission: 'readConsole', query }, async ({ query }) => readMessageRates(query));
