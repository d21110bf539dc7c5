import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { saveThresholdOverride } from '@/lib/summarizers/manage-summarizers';
import { thresholdOverrideInputSchema } from '@/lib/summarizers/summarizer.schema';

/** A new threshold override for a component and/or message ID (audited). */
export const POST = route({ permission: 'editSummarizerSettings', body: thresholdOverrideInputSchema }, async ({ body, actor }) =>
  NextResponse.json(await saveThresholdOverride({ actor, id: null, input: body }), { status: 201 }),
);
