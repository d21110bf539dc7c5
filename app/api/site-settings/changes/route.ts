import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { submitChangeSchema } from '@/lib/sitecontrol/site-control-change.schema';
import { deltaView } from '@/lib/sitecontrol/site-settings-view';
import { submitSiteControlChange } from '@/lib/sitecontrol/submit-site-control-change';

/** A change made from `baseSerial`: 202 while the workers carry it; 409 with the other change; 400 naming the field. */
export const POST = route({ permission: 'editSiteSettings', body: submitChangeSchema }, async ({ body, actor }) => {
  const submitted = await submitSiteControlChange({ actor, baseSerial: body.baseSerial, changes: body.changes });
  return NextResponse.json({ change: deltaView(submitted.delta), changes: submitted.changes }, { status: 202 });
});
