import { config } from '@/lib/config';
import { registerDevice } from '@/lib/devices/register-device';
import { registerDeviceSchema } from '@/lib/protocol/registration.schema';
import { route } from '@/lib/http/route';
import { clientRateLimit } from '@/lib/http/rate-limits';

/** A client agent registers with the management point and receives its own credential. */
export const POST = route(
  { auth: 'none', body: registerDeviceSchema, rateLimit: clientRateLimit, maxBodyBytes: 16 * 1024 },
  async ({ body, address }) => registerDevice({ siteCode: config().SITEBOX_SITE_CODE, input: body, address }),
);
