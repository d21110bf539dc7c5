import { route } from '@/lib/http/route';
import { clientRateLimit } from '@/lib/http/rate-limits';
import { clientPolicy } from '@/lib/policy/client-policy';
import { policyRequestSchema } from '@/lib/protocol/agent-protocol.schema';
import { readPolicySiteSettings } from '@/lib/sitecontrol/read-policy-site-settings';

/**
 * A registered, approved device fetches its policy; `?meteringRulesRevision=` names the metering
 * rules it holds, which are then left out while current.
 */
export const GET = route({ auth: 'device', rateLimit: clientRateLimit, query: policyRequestSchema }, async ({ device, query }) =>
  clientPolicy(device, { siteSettings: (siteIds) => readPolicySiteSettings(siteIds), knownMeteringRulesRevision: query.meteringRulesRevision }),
);
