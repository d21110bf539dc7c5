import { route } from '@/lib/http/route';
import { deleteThresholdOverride, saveThresholdOverride } from '@/lib/summarizers/manage-summarizers';
import { thresholdOverrideEditSchema, thresholdParamsSchema } from '@/lib/summarizers/summarizer.schema';

export const PUT = route(
  { permission: 'editSummarizerSettings', params: thresholdParamsSchema, body: thresholdOverrideEditSchema },
  async ({ params, body, actor }) => saveThresholdOverride({ actor, id: params.id, input: body }),
);

export const DELETE = route({ permission: 'editSummarizerSettings', params: thresholdParamsSchema }, async ({ params, actor }) => {
  await deleteThresholdOverride({ actor, id: params.id });
  return { deleted: true };
});
