import { NextResponse } from 'next/server';
import { declaredLength, readBodyBytes } from '@/lib/http/read-body';
import { route } from '@/lib/http/route';
import { ingestStatusRequest } from '@/lib/ingest/1-ingest-status-request';

/**
 * The management point's status message ingest: a JSON batch `{ device?, messages: [...] }`
 * from a client (`Authorization: Device …`) or a site system or child site
 * (`Authorization: SiteSystem …`). 202 when every message was accepted (appended durably to
 * Status Manager's inbox); 400 listing each refused message while the valid ones are kept;
 * 401/403 without a valid credential; 413 over the body limit; 503 with Retry-After while
 * Status Manager's backlog is over its limit. server.ts answers this path before Next.js sees it
 * (lib/ingest/serve-status-ingest.ts, the same ingestStatusRequest without the framework's
 * per-request cost); this route serves it wherever the console runs without server.ts.
 */
export const POST = route({ auth: 'none' }, async ({ req, log }) => {
  const result = await ingestStatusRequest({
    authorization: req.headers.get('authorization'),
    declaredBytes: declaredLength(req.headers.get('content-length')),
    readBody: (maxBytes) => readBodyBytes(req, maxBytes),
    log,
  });
  // no-transform: a few bytes of JSON are not worth compressing, 500 times a second.
  return NextResponse.json(result, { status: 202, headers: { 'Cache-Control': 'no-store, no-transform' } });
});
