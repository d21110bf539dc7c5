import { AppError } from '@/lib/errors';
import { route } from '@/lib/http/route';
import { clientRateLimit } from '@/lib/http/rate-limits';
import { runtime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

/**
 * The site's certificate authority (PEM), for `sitebox-agent install --ca-fingerprint`, which
 * trusts it only when its SHA-256 fingerprint is the one the console shows, and for browsers.
 */
export const GET = route({ auth: 'none', rateLimit: clientRateLimit }, async () => {
  const security = runtime().transportSecurity;
  if (!security) throw new AppError('NOT_FOUND', { userMessage: 'This server does not serve HTTPS (SITEBOX_TLS=off).' });
  return new Response(security.caPem(), {
    headers: {
      'Content-Type': 'application/x-pem-file',
      'Content-Disposition': 'attachment; filename="sitebox-site-ca.crt"',
      'X-Sitebox-CA-Fingerprint': security.caFingerprint(),
      'Cache-Control': 'no-store',
    },
  });
});
