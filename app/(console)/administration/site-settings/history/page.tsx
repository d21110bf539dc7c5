import type { Metadata } from 'next';
import { PageHeader } from '@/components/shell/page-header';
import { SiteControlHistory } from '@/components/site-settings/site-control-history';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditSiteSettings } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Site Settings History' };

export default async function SiteSettingsHistoryPage() {
  const session = await requirePageSession({ path: '/administration/site-settings/history' });
  return (
    <>
      <PageHeader title="Site Settings History" description="Each serial of the site control document: who changed which properties, and when." />
      <SiteControlHistory canEdit={canEditSiteSettings(session.principal)} />
    </>
  );
}
