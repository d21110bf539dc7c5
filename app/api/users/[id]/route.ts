import { z } from 'zod';
import { route } from '@/lib/http/route';
import { updateUser } from '@/lib/users/update-user';
import { updateUserSchema } from '@/lib/users/user.schema';

const params = z.object({ id: z.coerce.number().int().positive() });

export const PATCH = route({ permission: 'manageUsers', params, body: updateUserSchema }, async ({ params, body, actor }) =>
  updateUser({ actor, userId: params.id, input: body }),
);
