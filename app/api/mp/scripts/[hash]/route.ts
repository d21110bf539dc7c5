import { z } from 'zod';
import { AppError } from '@/lib/errors';
import { clientRateLimit } from '@/lib/http/rate-limits';
import { route } from '@/lib/http/route';
import { findApprovedScriptByHash } from '@/lib/scripts/repo';

const params = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 in hex') });

/** A device fetches the approved script text a Run Script push named by its hash; unapproved text is never served. */
export const GET = route({ auth: 'device', rateLimit: clientRateLimit, params }, async ({ params }) => {
  const script = await findApprovedScriptByHash(params.hash);
  if (!script) throw new AppError('NOT_FOUND', { userMessage: 'No approved script has that content hash.' });
  return new Response(script.body, { headers: { 'content-type': 'text/x-shellscript; charset=utf-8', 'cache-control': 'no-store' } });
});
