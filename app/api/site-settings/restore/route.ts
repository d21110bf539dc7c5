import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { restoreSiteControlSerial } from '@/lib/sitecontrol/restore-site-control-serial';
import { restoreSchema } from '@/lib/sitecontrol/site-control-change.schema';
import { deltaView } from '@/lib/sitecontrol/site-settings-view';

/** "Restore this version": a new change, from `baseSerial`, back to the settings of `serial`. */
export const POST = route({ permission: 'editSiteSettings', body: restoreSchema }, async ({ body, actor }) => {
  const submitted = await restoreSiteControlSerial({ actor, serial: body.serial, baseSerial: body.baseSerial });
  return NextResponse.json({ change: deltaView(submitted.delta), changes: submitted.changes }, { status: 202 });
});
