import { headers } from 'next/headers';
import { Providers } from '@/components/providers';
import { NavTree } from '@/components/shell/nav-tree';
import { SessionEndedNotice } from '@/components/shell/session-ended-notice';
import { UserMenu } from '@/components/shell/user-menu';
import { requirePageSession } from '@/lib/auth/current-session';
import { roleLabels } from '@/lib/auth/roles';
import { config } from '@/lib/config';
import { findSiteByCode } from '@/lib/sites/repo';

export const dynamic = 'force-dynamic';

/** The console frame: header, navigation tree and the page. Every page behind it needs a session. */
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const path = (await headers()).get('x-pathname') ?? '/';
  const session = await requirePageSession({ path });
  const site = await findSiteByCode(config().SITEBOX_SITE_CODE);
  return (
    <Providers>
      <div className="grid h-screen grid-rows-[auto_1fr]">
        <header className="flex items-center justify-between bg-slate-800 px-4 py-2">
          <div className="flex items-baseline gap-3">
            <span className="text-base font-semibold text-white">Sitebox</span>
            <span className="text-sm text-slate-300" data-testid="site-name">
              {site ? `${site.code} - ${site.name}` : config().SITEBOX_SITE_CODE}
            </span>
          </div>
          <UserMenu userName={session.principal.userName} roleLabel={roleLabels[session.principal.role]} />
        </header>
        <div className="grid min-h-0 grid-cols-[13.5rem_1fr]">
          <aside className="overflow-y-auto border-r border-slate-200 bg-slate-50">
            <NavTree />
          </aside>
          <main className="min-w-0 overflow-y-auto px-4 py-4">
            <SessionEndedNotice />
            {children}
          </main>
        </div>
      </div>
    </Providers>
  );
}
