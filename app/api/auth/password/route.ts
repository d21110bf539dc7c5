import { route } from '@/lib/http/route';
import { changeOwnPassword } from '@/lib/users/change-own-password';
import { changeOwnPasswordSchema } from '@/lib/users/user.schema';

// Open to a user who still owes a password change: this is how they pay it.
export const POST = route({ body: changeOwnPasswordSchema, allowPendingPasswordChange: true }, async ({ body, actor }) => {
  await changeOwnPassword({ actor, ...body });
  return { changed: true };
});
