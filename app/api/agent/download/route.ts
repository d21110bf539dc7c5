import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';
import { clientRateLimit } from '@/lib/http/rate-limits';

export const dynamic = 'force-dynamic';

// Where `npm run agent:build` writes the client (scripts/build-agent.mjs), under the site's folder.
const BUNDLE_NAME = 'sitebox-agent.cjs';

/** The client agent as one file, for a computer about to install it (it holds no secret). */
export const GET = route({ auth: 'none', rateLimit: clientRateLimit }, async () => {
  const bundle = await readFile(path.join(process.cwd(), 'dist', BUNDLE_NAME)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
    throw new AppError('NOT_FOUND', { userMessage: 'The client agent is not built on this site server: run `npm run agent:build` there first.' });
  });
  return new Response(new Uint8Array(bundle), {
    headers: {
      'Content-Type': 'application/javascript',
      'Content-Disposition': `attachment; filename="${BUNDLE_NAME}"`,
      'Cache-Control': 'no-store',
    },
  });
});
