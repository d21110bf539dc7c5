import { route } from '@/lib/http/route';
import { resetComponentCounts } from '@/lib/summarizers/manage-summarizers';
import { resetCountsInputSchema } from '@/lib/summarizers/summarizer.schema';

/** Resets the counts of a component, of a site system's components, or of a whole site (audited). */
export const POST = route({ permission: 'resetSummarizerCounts', body: resetCountsInputSchema }, async ({ body, actor }) =>
  resetComponentCounts({ actor, input: body }),
);
