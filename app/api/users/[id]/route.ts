import { z } from 'zod';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';
import { updateUser } from '@/lib/users/update-user';
import { updateUserSchema } from '@/lib/users/user.schema';

const params = z.object({ id: int4IdParam() });

export const PATCH = route({ permission: 'manageUsers', params, body: updateUserSchema }, async ({ params, body, actor }) =>
  updateUser({ actor, userId: params.id, input: body }),
);
