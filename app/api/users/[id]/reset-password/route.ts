import { z } from 'zod';
import { route } from '@/lib/http/route';
import { resetPassword } from '@/lib/users/reset-password';

const params = z.object({ id: z.coerce.number().int().positive() });

export const POST = route({ permission: 'manageUsers', params }, async ({ params, actor }) =>
  resetPassword({ actor, userId: params.id }),
);
