import type { Metadata } from 'next';
import { ScriptsLibrary } from '@/components/scripts/scripts-library';
import { PageHeader } from '@/components/shell/page-header';
import { requirePageSession } from '@/lib/auth/current-session';
import { canApproveScripts, canEditScripts } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Scripts' };

export default async function ScriptsPage() {
  const session = await requirePageSession({ path: '/assets/scripts' });
  return (
    <>
      <PageHeader
        title="Scripts"
        description="Software Library: bash scripts with typed parameters. One user writes a script, another approves it; clients run only the approved text."
      />
      <ScriptsLibrary
        canEdit={canEditScripts(session.principal)}
        canApprove={canApproveScripts(session.principal)}
        userId={session.principal.userId}
      />
    </>
  );
}
