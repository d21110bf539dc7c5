import { NextResponse } from 'next/server';
import { acceptInventoryReport } from '@/lib/inventory/accept-inventory-report';
import { readBodyBytes } from '@/lib/http/read-body';
import { clientRateLimit } from '@/lib/http/rate-limits';
import { route } from '@/lib/http/route';
import { MAX_INVENTORY_BYTES } from '@/lib/protocol/inventory.schema';

/**
 * A device's hardware and software inventory report (lib/protocol/inventory.schema.ts), plain or
 * `Content-Encoding: gzip`: 202 stored for the inventory loader, 200 a resend, 409 a delta the
 * site cannot apply (send a full report), 400 naming the field, 403 another device's, 413 too large.
 */
export const POST = route({ auth: 'device', rateLimit: clientRateLimit }, async ({ req, device }) => {
  const { status, answer } = await acceptInventoryReport({
    device,
    body: await readBodyBytes(req, MAX_INVENTORY_BYTES),
    contentEncoding: req.headers.get('content-encoding'),
  });
  return NextResponse.json(answer, { status, headers: { 'Cache-Control': 'no-store' } });
});
