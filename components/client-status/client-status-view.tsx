'use client';

import clsx from 'clsx';
import Link from 'next/link';
import { useState } from 'react';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { RelativeTime } from '../ui/relative-time';
import { ClientStatusChart } from './client-status-chart';
import { useClientStatusQuery, useInactiveClientsQuery, useLiveClientStatus } from './use-client-status';
import { formatShare } from '@/components/ui/format-share';

const HISTORY_DAYS = 30;
const PAGE_SIZE = 25;
const pagerButton = 'rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-50 disabled:opacity-40';

/** One figure of the totals: a count, its share of all clients, and what it means. */
function Figure({ label, value, total, tone, hint }: { label: string; value: number; total: number; tone: string; hint: string }) {
  return (
    <div
      className="rounded border border-slate-200 bg-white p-3"
      role="group"
      aria-label={label}
      data-testid={`client-status-${label.toLowerCase()}`}
    >
      <div className="text-xs uppercase text-slate-500">{label}</div>
      <div className="flex items-baseline gap-2">
        <span className={clsx('text-2xl font-semibold tabular-nums', tone)}>{value.toLocaleString()}</span>
        <span className="text-sm tabular-nums text-slate-600">{formatShare(value, total)}</span>
      </div>
      <div className="text-xs text-slate-500">{hint}</div>
    </div>
  );
}

/**
 * The Client Status page: online and active counts now, their history per day, and the inactive
 * clients with the reason each is inactive.
 */
export function ClientStatusView() {
  const live = useLiveClientStatus();
  const overview = useClientStatusQuery(HISTORY_DAYS);
  const [page, setPage] = useState(1);
  const inactive = useInactiveClientsQuery(page, PAGE_SIZE);
  const totals = overview.data?.totals;
  const thresholds = [...new Set(Object.values(overview.data?.inactiveAfterDays ?? {}))];
  const days = thresholds.length === 1 ? `${thresholds[0]} days` : 'the site’s number of days';
  const pages = Math.max(1, Math.ceil((inactive.data?.total ?? 0) / PAGE_SIZE));

  return (
    <div className="space-y-4">
      {overview.error && (
        <p role="alert" className="text-sm text-red-700">
          {(overview.error as Error).message}
        </p>
      )}
      <p className="text-sm text-slate-600">
        Online: connected to a notification server. Active: a policy request, heartbeat or hardware inventory in the last {days}.{' '}
        <span className="text-xs text-slate-500">{live ? 'Live.' : ''}</span>
      </p>
      {totals && (
        <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="client-status-totals">
          <Figure
            label="Online"
            value={totals.online}
            total={totals.total}
            tone="text-blue-700"
            hint={`of ${totals.total.toLocaleString()} clients`}
          />
          <Figure label="Offline" value={totals.offline} total={totals.total} tone="text-slate-700" hint="no notification channel" />
          <Figure label="Active" value={totals.active} total={totals.total} tone="text-green-700" hint={`activity in the last ${days}`} />
          <Figure label="Inactive" value={totals.inactive} total={totals.total} tone="text-red-700" hint={`nothing in the last ${days}`} />
        </div>
      )}
      {overview.data && <ClientStatusChart days={overview.data.history} />}

      <section aria-labelledby="inactive-clients" className="space-y-2">
        <h2 id="inactive-clients" className="text-sm font-semibold text-slate-800">
          Inactive clients
        </h2>
        {inactive.error && (
          <p role="alert" className="text-sm text-red-700">
            {(inactive.error as Error).message}
          </p>
        )}
        <Table>
          <caption className="sr-only">Inactive clients</caption>
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Site</Th>
              <Th>Online</Th>
              <Th>Last activity</Th>
              <Th>Reason</Th>
            </tr>
          </THead>
          <TBody>
            {inactive.data?.rows.map((row) => (
              <tr key={row.id}>
                <Td className="whitespace-nowrap">
                  <Link href={`/assets/devices/${row.id}`} className="font-medium text-blue-700 hover:underline">
                    {row.name}
                  </Link>
                  {row.isDemo && <span className="ml-1 text-xs text-slate-500">(demo)</span>}
                </Td>
                <Td>{row.siteCode}</Td>
                <Td>{row.online ? 'Online' : 'Offline'}</Td>
                <Td className="whitespace-nowrap">
                  <RelativeTime iso={row.lastActivityAt} />
                </Td>
                <Td>{row.reason}</Td>
              </tr>
            ))}
            {inactive.data && inactive.data.rows.length === 0 && (
              <tr>
                <td colSpan={5} className="px-3 py-6 text-center text-slate-500">
                  No inactive clients.
                </td>
              </tr>
            )}
          </TBody>
        </Table>
        <div className="flex items-center justify-end gap-2 text-sm text-slate-600">
          <span className="mr-auto tabular-nums" data-testid="inactive-total">
            {inactive.data ? `${inactive.data.total.toLocaleString()} inactive` : 'Loading…'}
          </span>
          <button type="button" className={pagerButton} disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span className="tabular-nums">
            Page {page} of {pages}
          </span>
          <button type="button" className={pagerButton} disabled={page >= pages} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </div>
      </section>
    </div>
  );
}
