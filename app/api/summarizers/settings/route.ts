import { z } from 'zod';
import { route } from '@/lib/http/route';
import { readSummarizerSettings, updateSummarizerSettings } from '@/lib/summarizers/manage-summarizers';
import { summarizerSettingsInputSchema } from '@/lib/summarizers/summarizer.schema';

const query = z.object({
  site: z
    .string()
    .regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code')
    .optional(),
});

export const GET = route({ permission: 'readConsole', query }, async ({ query }) => readSummarizerSettings({ site: query.site }));

/** Sets a site's display interval (audited); views use it from their next request. */
export const PUT = route({ permission: 'editSummarizerSettings', body: summarizerSettingsInputSchema }, async ({ body, actor }) => {
  await updateSummarizerSettings({ actor, input: body });
  return readSummarizerSettings({ site: body.site });
});
