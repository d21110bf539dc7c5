import type { Metadata } from 'next';
import { PageHeader } from '@/components/shell/page-header';
import { UsersAdmin } from '@/components/users/users-admin';
import { requirePageSession } from '@/lib/auth/current-session';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const session = await requirePageSession({ path: '/administration/users', permission: 'manageUsers' });
  return (
    <>
      <PageHeader title="Users" description="Console users and their security roles." />
      <UsersAdmin selfUserId={session.principal.userId} />
    </>
  );
}
