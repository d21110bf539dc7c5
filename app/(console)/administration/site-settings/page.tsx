import type { Metadata } from 'next';
import { PageHeader } from '@/components/shell/page-header';
import { SiteSettingsSheets } from '@/components/site-settings/site-settings-sheets';
import { requirePageSession } from '@/lib/auth/current-session';
import { canEditSiteSettings } from '@/lib/auth/roles';

export const metadata: Metadata = { title: 'Site Settings' };

export default async function SiteSettingsPage() {
  const session = await requirePageSession({ path: '/administration/site-settings' });
  return (
    <>
      <PageHeader
        title="Site Settings"
        description="The site control document. A change is carried out by Hierarchy Manager and Site Control Manager and takes effect as the next serial."
      />
      <SiteSettingsSheets canEdit={canEditSiteSettings(session.principal)} />
    </>
  );
}
