import { z } from 'zod';
import { deleteDevice } from '@/lib/devices/delete-device';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

export const DELETE = route({ permission: 'manageDevices', params }, async ({ params, actor }) => deleteDevice({ actor, deviceId: params.id }));
