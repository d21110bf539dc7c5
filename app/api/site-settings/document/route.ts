import { route } from '@/lib/http/route';
import { formatSiteControlText, siteControlFileName } from '@/lib/sitecontrol/format-site-control-text';
import { documentQuerySchema } from '@/lib/sitecontrol/site-control-change.schema';
import { readSiteControlAtSerial } from '@/lib/sitecontrol/site-settings-view';

/** The document (current, or `?serial=`) as a text file to download. */
export const GET = route({ query: documentQuerySchema }, async ({ query }) => {
  const doc = await readSiteControlAtSerial({ serial: query.serial });
  return new Response(formatSiteControlText(doc), {
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': `attachment; filename="${siteControlFileName(doc)}"`,
      'Cache-Control': 'no-store',
    },
  });
});
