import { grantedPermissions, roleLabels } from '@/lib/auth/roles';
import { route } from '@/lib/http/route';

/** Who is signed in and what their role allows, so the UI can enable the right controls. */
export const GET = route({ allowPendingPasswordChange: true }, async ({ session }) => ({
  userName: session.principal.userName,
  role: session.principal.role,
  roleLabel: roleLabels[session.principal.role],
  permissions: grantedPermissions(session.principal),
  mustChangePassword: session.mustChangePassword,
}));
