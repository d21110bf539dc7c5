import { z } from 'zod';
import { route } from '@/lib/http/route';
import { readSiteSystemStatus } from '@/lib/summarizers/read-site-system-status';

const query = z.object({
  site: z
    .string()
    .regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code')
    .optional(),
});

/** The Site System Status view: storage objects against thresholds and whether each system reports. */
export const GET = route({ permission: 'readConsole', query }, async ({ query }) => readSiteSystemStatus({ site: query.site }));
