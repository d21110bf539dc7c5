import { listUsers } from '@/lib/auth/repo';
import { route } from '@/lib/http/route';
import { createUser } from '@/lib/users/create-user';
import { createUserSchema } from '@/lib/users/user.schema';

export const GET = route({ permission: 'manageUsers' }, async () => ({ users: await listUsers() }));

export const POST = route({ permission: 'manageUsers', body: createUserSchema }, async ({ body, actor }) => createUser({ actor, input: body }));
