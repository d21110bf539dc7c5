import { config } from '@/lib/config';
import { registerDevice } from '@/lib/devices/register-device';
import { registerDeviceSchema } from '@/lib/protocol/registration.schema';
import { route } from '@/lib/http/route';
import { clientRateLimit } from '@/lib/http/rate-limits';
import { readSiteSettings } from '@/lib/sitecontrol/read-site-settings';

/** A client agent registers with the management point and receives its own credential. */
export const POST = route(
  { auth: 'none', body: registerDeviceSchema, rateLimit: clientRateLimit, maxBodyBytes: 16 * 1024 },
  async ({ body, address }) => {
    const siteCode = config().SITEBOX_SITE_CODE;
    const approvalMode = (await readSiteSettings({ siteCode })).clientApproval.mode;
    return registerDevice({ siteCode, input: body, address, approvalMode });
  },
);
