import { systemClock } from '@/lib/clock';
import { activityCutoffs, deriveClientActivity } from '@/lib/client-status/derive-client-activity';
import { listDevices } from '@/lib/devices/list-devices';
import { listDevicesQuerySchema } from '@/lib/devices/list-devices.schema';
import { route } from '@/lib/http/route';
import { readEverySiteClientStatusSettings } from '@/lib/sitecontrol/read-client-status-settings';

export const GET = route({ query: listDevicesQuerySchema }, async ({ query }) => {
  // Client activity is judged by each device's site's threshold, at one instant for the whole page.
  const now = systemClock.now();
  const settings = await readEverySiteClientStatusSettings();
  return listDevices(query, {
    activeSince: activityCutoffs({ now, settings }),
    judge: (device) => {
      const { active, reason } = deriveClientActivity(device, { now, settings: settings.get(device.siteId) ?? { inactiveAfterDays: 7 } });
      return { active, reason };
    },
  });
});
