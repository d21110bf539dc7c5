import { route } from '@/lib/http/route';
import { clientRateLimit } from '@/lib/http/rate-limits';
import { clientPolicy } from '@/lib/policy/client-policy';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';

/** A registered, approved device fetches its policy. */
export const GET = route({ auth: 'device', rateLimit: clientRateLimit }, async ({ device }) =>
  clientPolicy(device, { siteSettings: (siteIds) => readPolicySiteSettings(siteIds) }),
);
