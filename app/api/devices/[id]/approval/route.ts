import { z } from 'zod';
import { setDeviceApproval } from '@/lib/devices/set-device-approval';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });
const body = z.object({ approval: z.enum(['APPROVED', 'REVOKED']) });

export const POST = route({ permission: 'manageDevices', params, body }, async ({ params, body, actor }) =>
  setDeviceApproval({ actor, deviceId: params.id, approval: body.approval }),
);
