import { clientRateLimit } from '@/lib/http/rate-limits';
import { route } from '@/lib/http/route';
import { storeMeteringUsage } from '@/lib/metering/store-metering-usage';
import { MAX_METERING_USAGE_BYTES, meteringUsageUploadSchema } from '@/lib/protocol/metering-usage.schema';

/** A device's finished runs of metered programs: 200 `{ received, stored }` (stored: the new ones), 400 naming the field, 401, 413. */
export const POST = route(
  { auth: 'device', body: meteringUsageUploadSchema, rateLimit: clientRateLimit, maxBodyBytes: MAX_METERING_USAGE_BYTES },
  async ({ body, device }) => storeMeteringUsage({ device, upload: body }),
);
