'use client';

import clsx from 'clsx';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { clientStatusLabels, clientStatuses, type ClientStatus, type DeploymentRow } from '@/lib/deployments/deployment.schema';
import { plural } from '@/lib/plural';
import { RelativeTime } from '../ui/relative-time';
import { useDebouncedValue } from '../ui/use-debounced-value';
import { DeploymentForm, ScheduleForm } from './deployment-form';
import { StatusChart, statusColours } from './status-chart';
import {
  deploymentClientsQueryString,
  useDeploymentClientsQuery,
  useDeploymentsLive,
  useDeploymentsQuery,
  type DeploymentClientFilters,
} from './use-deployments-query';

const stateLabels: Record<DeploymentRow['state'], string> = { SCHEDULED: 'Scheduled', ACTIVE: 'Active', EXPIRED: 'Expired' };
const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
/** The Status Message Viewer filtered on the deployment (and a client), as the reports name it. */
const messagesHref = (deploymentId: string, system?: string) =>
  `/monitoring/status-messages?${new URLSearchParams({ propertyName: 'AdvertisementID', propertyValue: deploymentId, ...(system ? { system } : {}) })}`;
const pagerButton = 'rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-50 disabled:opacity-40';

function DeploymentList({ rows, selected, onSelect }: { rows: DeploymentRow[]; selected: number | null; onSelect: (id: number) => void }) {
  return (
    <div className="max-h-80 overflow-auto rounded border border-slate-200 bg-white">
      <Table framed={false}>
        <caption className="sr-only">Deployments</caption>
        <THead className="sticky top-0 whitespace-nowrap">
          <tr>
            <Th className="font-semibold">Name</Th>
            <Th className="font-semibold">ID</Th>
            <Th className="font-semibold">Program</Th>
            <Th className="font-semibold">Collection</Th>
            <Th className="font-semibold">State</Th>
            <Th className="font-semibold text-right">Targeted</Th>
            <Th className="font-semibold text-right">Succeeded</Th>
            <Th className="font-semibold text-right">Failed</Th>
            <Th className="font-semibold">Clients by status</Th>
          </tr>
        </THead>
        <TBody>
          {rows.map((d) => (
            <tr key={d.id} onClick={() => onSelect(d.id)} className={clsx('cursor-pointer', selected === d.id ? 'bg-blue-50' : 'hover:bg-slate-50')}>
              <Td className="whitespace-nowrap">
                <button
                  type="button"
                  aria-current={selected === d.id ? 'true' : undefined}
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(d.id);
                  }}
                  className="text-left font-medium text-blue-800 hover:underline"
                >
                  {d.name}
                </button>
              </Td>
              <Td className="font-mono text-xs">{d.deploymentId}</Td>
              <Td className="whitespace-nowrap text-slate-600">
                {d.packageName} — {d.programName}
              </Td>
              <Td className="whitespace-nowrap text-slate-600">{d.collectionName}</Td>
              <td className={clsx('px-2 py-1', d.state === 'EXPIRED' && 'text-slate-500')}>{stateLabels[d.state]}</td>
              <Td className="text-right tabular-nums">{d.targeted}</Td>
              <Td className="text-right tabular-nums">{d.statusCounts.SUCCEEDED}</Td>
              <td className={clsx('px-2 py-1 text-right tabular-nums', d.statusCounts.FAILED > 0 && 'font-semibold text-red-700')}>
                {d.statusCounts.FAILED}
              </td>
              <Td>
                <StatusChart counts={d.statusCounts} compact />
              </Td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={9} className="px-3 py-6 text-center text-slate-500">
                No deployments yet.
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}

function MessageCounts({ d }: { d: DeploymentRow }) {
  const m = d.messages;
  const items: [string, number][] = [
    ['Received', m.received],
    ['Programs started', m.programStarted],
    ['Program errors', m.programErrors],
    ['Program success', m.programSucceeded],
    ['Will retry', m.retrying],
    ['Expired unrun', m.expiredUnrun],
    ['Late reports', m.lateReports],
  ];
  return (
    <dl className="grid grid-cols-7 gap-2 text-center" aria-label="Status messages received">
      {items.map(([label, value]) => (
        <div key={label} className="rounded border border-slate-200 bg-white px-2 py-1.5">
          <dt className="text-[11px] uppercase text-slate-500">{label}</dt>
          <dd className="text-base font-semibold tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function ClientTable({ deployment }: { deployment: DeploymentRow }) {
  const [filters, setFilters] = useState<Omit<DeploymentClientFilters, 'search'>>({ page: 1, pageSize: 50 });
  const [search, setSearch] = useState('');
  const debounced = useDebouncedValue(search.trim());
  const query = { ...filters, search: debounced };
  const clients = useDeploymentClientsQuery(deployment.id, query);
  const page = clients.data;
  const first = page && page.total ? (page.page - 1) * page.pageSize + 1 : 0;
  const last = page ? Math.min(page.total, page.page * page.pageSize) : 0;
  const csv = `/api/deployments/${deployment.id}/clients.csv?${deploymentClientsQueryString(query, { paging: false })}`;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <input
          type="search"
          aria-label="Search clients"
          placeholder="Device name"
          value={search}
          onChange={(e) => {
            setSearch(e.target.value);
            setFilters((f) => ({ ...f, page: 1 }));
          }}
          className="w-56 rounded border border-slate-300 px-2 py-1 focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600"
        />
        <label className="flex items-center gap-1 text-slate-600">
          Status
          <select
            aria-label="Filter by status"
            value={filters.status ?? ''}
            className="rounded border border-slate-300 px-1 py-1"
            onChange={(e) => setFilters((f) => ({ ...f, page: 1, status: (e.target.value || undefined) as ClientStatus | undefined }))}
          >
            <option value="">All</option>
            {clientStatuses.map((s) => (
              <option key={s} value={s}>
                {clientStatusLabels[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1 text-slate-600">
          <input
            type="checkbox"
            checked={filters.late === 'true'}
            onChange={(e) => setFilters((f) => ({ ...f, page: 1, late: e.target.checked ? 'true' : undefined }))}
          />
          Late reports only
        </label>
        <a href={csv} download className="rounded border border-slate-300 bg-white px-2 py-1 text-slate-700 hover:bg-slate-50">
          Export CSV
        </a>
        <span className="ml-auto text-slate-500" data-testid="client-range">
          {page ? `${first}–${last} of ${page.total}` : ''}
        </span>
        <button
          type="button"
          className={pagerButton}
          disabled={!page || page.page <= 1}
          onClick={() => setFilters((f) => ({ ...f, page: f.page - 1 }))}
        >
          Previous
        </button>
        <button
          type="button"
          className={pagerButton}
          disabled={!page || last >= page.total}
          onClick={() => setFilters((f) => ({ ...f, page: f.page + 1 }))}
        >
          Next
        </button>
      </div>
      {clients.error && (
        <p role="alert" className="text-sm text-red-700">
          {clients.error.message}
        </p>
      )}
      <Table>
        <caption className="sr-only">Clients of {deployment.name}</caption>
        <THead>
          <tr>
            <Th>Device</Th>
            <Th>Site</Th>
            <Th>Status</Th>
            <Th className="text-right">Exit code</Th>
            <Th>Last report</Th>
            <Th>Received</Th>
          </tr>
        </THead>
        <TBody>
          {page?.rows.map((c) => (
            <tr key={c.deviceId} data-testid={`client-${c.deviceName}`}>
              <Td className="font-medium">
                <a
                  href={messagesHref(deployment.deploymentId, c.deviceName)}
                  title="Its status messages for this deployment"
                  className="hover:underline"
                >
                  {c.deviceName}
                </a>
              </Td>
              <Td>{c.siteCode}</Td>
              <Td>
                <span className="inline-flex items-center gap-1.5">
                  <span aria-hidden className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: statusColours[c.status] }} />
                  {clientStatusLabels[c.status]}
                  {c.late && (
                    <span className="rounded bg-amber-100 px-1 text-[11px] font-medium text-amber-800" title="Reported after the deployment expired">
                      late
                    </span>
                  )}
                </span>
              </Td>
              <Td className="text-right tabular-nums">{c.exitCode ?? ''}</Td>
              <Td className="text-slate-600">
                <RelativeTime iso={c.lastReportAt} empty="—" />
              </Td>
              <Td className="text-slate-600">{c.receivedAt ? new Date(c.receivedAt).toLocaleString() : ''}</Td>
            </tr>
          ))}
          {page && page.rows.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                No clients match.
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}

function DeploymentDetail({ deployment: d, canManage }: { deployment: DeploymentRow; canManage: boolean }) {
  const [editing, setEditing] = useState(false);
  return (
    <section aria-labelledby="deployment-title" className="space-y-4 border-t border-slate-200 pt-4">
      {canManage && d.state !== 'EXPIRED' && !editing && (
        <Button onClick={() => setEditing(true)} size="xs">
          Change schedule
        </Button>
      )}
      {editing && <ScheduleForm deployment={d} onDone={() => setEditing(false)} />}
      <div>
        <h2 id="deployment-title" className="text-base font-semibold">
          {d.name} <span className="font-normal text-slate-500">({d.deploymentId})</span>
          <span
            className={clsx(
              'ml-2 rounded px-1.5 py-0.5 text-xs font-medium',
              d.state === 'EXPIRED'
                ? 'bg-slate-200 text-slate-700'
                : d.state === 'ACTIVE'
                  ? 'bg-green-100 text-green-800'
                  : 'bg-blue-100 text-blue-800',
            )}
            data-testid="deployment-state"
          >
            {stateLabels[d.state]}
          </span>
        </h2>
        <p className="text-sm text-slate-600">
          {d.packageName} {d.packageVersion} — {d.programName} ({d.packageId}) to <strong>{d.collectionName}</strong> · available{' '}
          {when(d.availableAt)} · {d.mandatoryAt ? `mandatory ${when(d.mandatoryAt)}` : 'not mandatory'} ·{' '}
          {d.expiresAt ? `expires ${when(d.expiresAt)}` : 'never expires'}
          {d.expiredAt && <> · expired {when(d.expiredAt)}</>} · by {d.createdBy}
        </p>
        <a href={messagesHref(d.deploymentId)} className="text-sm text-blue-800 hover:underline">
          Status messages for this deployment
        </a>
        {d.state === 'EXPIRED' && (
          <p className="mt-1 text-sm text-slate-500">
            Withdrawn from clients. Each client keeps the status it last reported; reports made after expiry are marked late.
          </p>
        )}
      </div>
      <div>
        <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">Clients by status ({d.targeted} targeted)</h3>
        <StatusChart counts={d.statusCounts} />
      </div>
      <div>
        <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">Status messages from clients</h3>
        <MessageCounts d={d} />
      </div>
      <div>
        <h3 className="mb-1 text-xs font-semibold uppercase text-slate-500">Clients</h3>
        <ClientTable key={d.id} deployment={d} />
      </div>
    </section>
  );
}

/**
 * Monitoring › Deployments: each deployment's status summary (clients by derived status, the
 * summarizer's message counts, a chart) and, for the selected one (?id=), its clients.
 */
export function DeploymentsBrowser({ canManage }: { canManage: boolean }) {
  const deployments = useDeploymentsQuery();
  const live = useDeploymentsLive();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');
  const selected = Number(params.get('id')) || null;
  const all = deployments.data?.rows ?? [];
  const term = filter.trim().toLowerCase();
  const rows = term
    ? all.filter((d) => [d.name, d.deploymentId, d.packageName, d.programName, d.collectionName].some((v) => v.toLowerCase().includes(term)))
    : all;
  const select = (id: number) => router.replace(`${pathname}?id=${id}`, { scroll: false });
  const current = all.find((d) => d.id === selected);
  return (
    <div className="space-y-4">
      <div className="flex items-center gap-3 text-sm">
        <input
          type="search"
          aria-label="Search deployments"
          placeholder="Name, ID, program or collection"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          className="w-72 rounded border border-slate-300 px-2 py-1.5 focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600"
        />
        <span className="text-slate-500">{deployments.data ? `${rows.length} of ${plural(all.length, 'deployment')}` : 'Loading…'}</span>
        {live !== 'connecting' && (
          <span className={clsx('text-xs', live === 'live' ? 'text-green-700' : 'text-slate-400')} data-testid="deployments-live">
            {live === 'live' ? 'Live' : 'Not live'}
          </span>
        )}
        {canManage && !creating && (
          <Button onClick={() => setCreating(true)} variant="primary" className="ml-auto">
            New deployment
          </Button>
        )}
      </div>
      {creating && (
        <DeploymentForm
          onCancel={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false);
            select(id);
          }}
        />
      )}
      {deployments.error && (
        <p role="alert" className="text-sm text-red-700">
          {deployments.error.message}
        </p>
      )}
      <DeploymentList rows={rows} selected={selected} onSelect={select} />
      {current ? (
        <DeploymentDetail key={current.id} deployment={current} canManage={canManage} />
      ) : (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">Select a deployment to see its clients.</p>
      )}
    </div>
  );
}
