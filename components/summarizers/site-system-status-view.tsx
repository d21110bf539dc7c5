'use client';

import clsx from 'clsx';
import { useSearchParams } from 'next/navigation';
import { RelativeTime } from '@/components/ui/relative-time';
import { ApiError } from '@/lib/client/api';
import { plural } from '@/lib/plural';
import { HealthIcon } from './health-icon';
import { useLiveSummaries, useSiteSystemStatusQuery } from './use-summaries';

const roleLabels: Record<string, string> = {
  SITE_SERVER: 'Site server',
  MANAGEMENT_POINT: 'Management point',
  SITE_DATABASE_SERVER: 'Site database server',
  DISTRIBUTION_POINT: 'Distribution point',
};
const size = (bytes: number) =>
  bytes >= 1024 ** 4
    ? `${(bytes / 1024 ** 4).toFixed(1)} TB`
    : bytes >= 1024 ** 3
      ? `${(bytes / 1024 ** 3).toFixed(1)} GB`
      : `${Math.round(bytes / 1024 ** 2)} MB`;

/** Site System Status: per site system and role, storage objects' free space against the thresholds, and whether it reports. */
export function SiteSystemStatusView() {
  const url = useSearchParams();
  const site = url.get('site') ?? undefined;
  const query = useSiteSystemStatusQuery(site && /^[A-Z0-9]{3}$/.test(site) ? site : undefined);
  const live = useLiveSummaries();
  const data = query.data;
  return (
    <div className="space-y-3">
      {data && (
        <p className="flex justify-between text-xs text-slate-600">
          <span>
            Site {data.site.code}: Warning under {data.thresholds.freeSpaceWarningMb.toLocaleString()} MB free, Critical under{' '}
            {data.thresholds.freeSpaceCriticalMb.toLocaleString()} MB; a system must report every {plural(data.thresholds.pollingMinutes, 'minute')}.
          </span>
          <span className={live.connected ? 'text-emerald-700' : 'text-slate-400'}>{live.connected ? 'Live' : 'Connecting…'}</span>
        </p>
      )}
      {query.error && (
        <p role="alert" className="text-sm text-red-700">
          {query.error instanceof ApiError ? query.error.message : 'Could not load site system status.'}
        </p>
      )}
      <table className="w-full rounded border border-slate-200 bg-white text-sm" aria-label="Site system status">
        <thead className="bg-slate-50 text-left text-xs text-slate-600">
          <tr>
            <th className="px-2 py-1.5">Status</th>
            <th className="px-2">Site system</th>
            <th className="px-2">Roles</th>
            <th className="whitespace-nowrap px-2">Last reported</th>
            <th className="px-2">Storage objects</th>
          </tr>
        </thead>
        <tbody>
          {data?.siteSystems.map((s) => (
            <tr key={s.id} className="border-t border-slate-100 align-top" data-system={s.name}>
              <td className="px-2 py-1.5">
                <HealthIcon health={s.health} withLabel />
              </td>
              <td className="whitespace-nowrap px-2 py-1.5 font-medium">{s.name}</td>
              <td className="px-2 py-1.5 text-xs">{s.roles.map((r) => roleLabels[r] ?? r).join(', ') || '—'}</td>
              <td className={clsx('px-2 py-1.5 text-xs', s.reporting !== 'OK' && 'text-red-700')}>
                <RelativeTime iso={s.lastReportedAt} />
              </td>
              <td className="px-2 py-1.5">
                {!s.storage.length && <span className="text-xs text-slate-400">None reported</span>}
                <ul className="space-y-1">
                  {s.storage.map((o) => {
                    const used = o.totalBytes ? 1 - o.freeBytes / o.totalBytes : 0;
                    return (
                      <li key={o.name} className="flex items-center gap-2 text-xs" data-storage={o.name} data-health={o.health}>
                        <HealthIcon health={o.health} />
                        <span className="w-28 truncate font-medium" title={o.name}>
                          {o.name}
                        </span>
                        <span className="h-2 w-32 overflow-hidden rounded bg-slate-100" aria-hidden>
                          <span
                            className={clsx(
                              'block h-full',
                              o.health === 'CRITICAL' ? 'bg-red-500' : o.health === 'WARNING' ? 'bg-amber-400' : 'bg-emerald-500',
                            )}
                            style={{ width: `${Math.round(used * 100)}%` }}
                          />
                        </span>
                        <span className="whitespace-nowrap">
                          {size(o.freeBytes)} free of {size(o.totalBytes)}
                        </span>
                        <span className="whitespace-nowrap text-slate-500">
                          (<RelativeTime iso={o.reportedAt} />)
                        </span>
                      </li>
                    );
                  })}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
