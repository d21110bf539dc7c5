'use client';

import clsx from 'clsx';
import Link from 'next/link';
import { RelativeTime } from '@/components/ui/relative-time';
import { ApiError } from '@/lib/client/api';
import type { SiteStatus } from '@/lib/summarizers/read-site-status';
import { HealthIcon, healthOfColour } from './health-icon';
import { IntervalPicker, useIntervalParams } from './interval-picker';
import { RateChart } from './rate-chart';
import { useLiveSummaries, useMessageRatesQuery, useSiteStatusQuery } from './use-summaries';

const band = { green: 'border-l-emerald-500', yellow: 'border-l-amber-400', red: 'border-l-red-600' } as const;

/** Site Status: one status per site (green, yellow, red) from its components and site systems, live, with its message rates. */
export function SiteStatusView() {
  const params = useIntervalParams();
  const query = useSiteStatusQuery(params);
  const live = useLiveSummaries();
  const sites = query.data?.sites ?? [];
  return (
    <div className="space-y-4">
      <div className="flex items-end justify-between">
        <IntervalPicker current={sites[0]?.interval} timeZone={sites[0]?.timeZone} />
        <span className={clsx('text-xs', live.connected ? 'text-emerald-700' : 'text-slate-400')}>{live.connected ? 'Live' : 'Connecting…'}</span>
      </div>
      {query.error && (
        <p role="alert" className="text-sm text-red-700">
          {query.error instanceof ApiError ? query.error.message : 'Could not load site status.'}
        </p>
      )}
      {!sites.length && !query.isLoading && <p className="text-sm text-slate-500">No sites.</p>}
      {sites.map((s) => (
        <SiteCard key={s.code} site={s} />
      ))}
    </div>
  );
}

function SiteCard({ site: s }: { site: SiteStatus }) {
  const rates = useMessageRatesQuery(s.code);
  const keep = (path: string) => {
    const q = new URLSearchParams({ site: s.code });
    return `${path}?${q}`;
  };
  return (
    <section
      aria-label={`Site ${s.code}`}
      data-site={s.code}
      data-colour={s.colour}
      className={clsx('rounded border border-l-4 border-slate-200 bg-white p-4', band[s.colour])}
    >
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h2 className="flex items-center gap-2 text-base font-semibold text-slate-900">
            <HealthIcon health={healthOfColour(s.colour)} withLabel /> {s.code} — {s.name}
          </h2>
          <p className="text-xs text-slate-600">
            {s.interval.label}
            {s.interval.localStart ? ` (${s.interval.localStart.replace('T', ' ')} ${s.timeZone})` : ''} · last message{' '}
            <RelativeTime iso={s.lastMessageAt} />
          </p>
        </div>
        <dl className="grid grid-cols-3 gap-x-6 gap-y-1 text-sm">
          <dt className="col-span-3 text-xs font-semibold uppercase text-slate-500">
            <Link className="text-blue-700 hover:underline" href={keep('/monitoring/component-status')}>
              Components
            </Link>
          </dt>
          <dd className="text-red-700">{s.components.critical} critical</dd>
          <dd className="text-amber-700">{s.components.warning} warning</dd>
          <dd>{s.components.ok} OK</dd>
          <dt className="col-span-3 text-xs font-semibold uppercase text-slate-500">
            <Link className="text-blue-700 hover:underline" href={keep('/monitoring/site-system-status')}>
              Site systems
            </Link>
          </dt>
          <dd className="text-red-700">{s.siteSystems.critical} critical</dd>
          <dd className="text-amber-700">{s.siteSystems.warning} warning</dd>
          <dd>{s.siteSystems.ok} OK</dd>
          <dt className="col-span-3 text-xs font-semibold uppercase text-slate-500">Messages in the interval</dt>
          <dd className="text-red-700">{s.messages.error.toLocaleString()} error</dd>
          <dd className="text-amber-700">{s.messages.warning.toLocaleString()} warning</dd>
          <dd>{s.messages.informational.toLocaleString()} info</dd>
        </dl>
      </div>
      {rates.data && (
        <div className="mt-3 grid grid-cols-2 gap-3">
          {rates.data.lastHour && <RateChart title="Messages per minute, last hour" points={rates.data.lastHour} bucket="minute" />}
          <RateChart title="Messages per hour, last day" points={rates.data.lastDay} bucket="hour" />
        </div>
      )}
    </section>
  );
}
