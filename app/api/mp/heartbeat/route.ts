import { clientRateLimit } from '@/lib/http/rate-limits';
import { route } from '@/lib/http/route';
import { recordHeartbeat } from '@/lib/inventory/record-heartbeat';
import { discoveryRecordSchema } from '@/lib/protocol/inventory.schema';

/** Heartbeat discovery: a device's discovery record updates it; 200 `{ status: 'recorded' }`, 400, 401, 403. */
export const POST = route(
  { auth: 'device', body: discoveryRecordSchema, rateLimit: clientRateLimit, maxBodyBytes: 64 * 1024 },
  async ({ body, device }) => recordHeartbeat({ device, record: body }),
);
