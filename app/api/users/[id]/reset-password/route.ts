import { z } from 'zod';
import { route } from '@/lib/http/route';
import { int4IdParam } from '@/lib/validation/primitives';
import { resetPassword } from '@/lib/users/reset-password';

const params = z.object({ id: int4IdParam() });

export const POST = route({ permission: 'manageUsers', params }, async ({ params, actor }) => resetPassword({ actor, userId: params.id }));
