'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState } from '@tanstack/react-table';
import clsx from 'clsx';
import { ArrowDown, ArrowUp } from 'lucide-react';
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Select } from '@/components/ui/select';
import { Table, Td, Th, THead } from '@/components/ui/table';
import { api, ApiError } from '@/lib/client/api';
import { devicePageSizes, type DeviceRow, type DeviceSortColumn } from '@/lib/devices/list-devices.schema';
import { RelativeTime } from '../ui/relative-time';
import { useDevicesQuery, type DeviceFilters } from './use-devices-query';

const column = createColumnHelper<DeviceRow>();
// One array for "no rows yet": a new one each render would count as new data to the table.
const noRows: DeviceRow[] = [];
const pagerButton = 'rounded border border-slate-300 bg-white px-2 py-0.5 hover:bg-slate-50 disabled:opacity-40';

const approvalLabels: Record<DeviceRow['approval'], string> = { PENDING: 'Pending', APPROVED: 'Approved', REVOKED: 'Revoked' };

/** The device's name, with a Demo badge on the demo seed's made-up devices so nobody takes them for real clients. */
function DeviceName({ device }: { device: DeviceRow }) {
  return (
    <span className="inline-flex items-center gap-1.5">
      {/* Opens the device in Resource Explorer. */}
      <Link href={`/assets/devices/${device.id}`} className="font-medium text-blue-800 hover:underline">
        {device.name}
      </Link>
      {device.isDemo && (
        <span
          title="Made up by the demo seed, not reported by an agent"
          className="rounded bg-slate-100 px-1.5 text-xs font-medium leading-5 text-slate-600 ring-1 ring-inset ring-slate-300"
        >
          Demo
        </span>
      )}
    </span>
  );
}

/** The one change that makes sense for the device's state: approve a pending or revoked client, revoke an approved one. */
function ApprovalAction({ device }: { device: DeviceRow }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const change = useMutation({
    mutationFn: (approval: 'APPROVED' | 'REVOKED') => api(`/api/devices/${device.id}/approval`, { method: 'POST', body: { approval } }),
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: ['devices'] });
    },
    onError: (e) => setError(e instanceof ApiError ? e.message : 'The change failed.'),
  });
  const next = device.approval === 'APPROVED' ? 'REVOKED' : 'APPROVED';
  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        disabled={change.isPending}
        onClick={() => change.mutate(next)}
        aria-label={`${next === 'APPROVED' ? 'Approve' : 'Revoke'} ${device.name}`}
        className="rounded border border-slate-300 bg-white px-1.5 text-xs leading-5 text-slate-700 hover:bg-slate-100 disabled:opacity-50"
      >
        {next === 'APPROVED' ? 'Approve' : 'Revoke'}
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

/**
 * Deletes the device after a confirmation naming it and what goes: its inventory, software,
 * metering runs and operation results. Its name is then free, so the client can register again.
 */
function DeleteAction({ device }: { device: DeviceRow }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: () => api(`/api/devices/${device.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: ['devices'] });
    },
    onError: (e) => setError(e instanceof ApiError ? e.message : 'The delete failed.'),
  });
  return (
    <span className="flex items-center gap-2">
      <button
        type="button"
        disabled={remove.isPending}
        onClick={() => {
          if (
            window.confirm(
              `Delete the device ${device.name}? Its hardware and software inventory, inventory history, metering runs, ` +
                `collection memberships and client operation results are deleted with it. ` +
                `The client must register again, under the same name, to be managed.`,
            )
          )
            remove.mutate();
        }}
        aria-label={`Delete ${device.name}`}
        className="rounded border border-slate-300 bg-white px-1.5 text-xs leading-5 text-red-700 hover:bg-red-50 disabled:opacity-50"
      >
        Delete
      </button>
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </span>
  );
}

function columns(canManage: boolean) {
  return [
    column.accessor('name', { header: 'Name', cell: (c) => <DeviceName device={c.row.original} /> }),
    column.accessor('domain', { header: 'Domain', cell: (c) => c.getValue() ?? '' }),
    column.accessor('osName', { header: 'Operating system' }),
    column.accessor('osVersion', { header: 'OS version' }),
    column.accessor('ipAddress', { header: 'IP address', cell: (c) => <span className="tabular-nums">{c.getValue() ?? ''}</span> }),
    column.accessor('siteCode', { id: 'site', header: 'Site' }),
    column.accessor('approval', {
      header: 'Client',
      cell: (c) => (
        <span className={clsx(c.getValue() === 'REVOKED' && 'text-red-700', c.getValue() === 'PENDING' && 'font-medium text-amber-700')}>
          {approvalLabels[c.getValue()]}
        </span>
      ),
    }),
    column.accessor('online', {
      header: 'Online',
      sortDescFirst: true,
      cell: (c) => (
        <span className="inline-flex items-center gap-1.5">
          <span aria-hidden className={clsx('size-2 rounded-full', c.getValue() ? 'bg-green-600' : 'bg-slate-300')} />
          {c.getValue() ? 'Online' : 'Offline'}
        </span>
      ),
    }),
    // Client status by activity; the reason (which activity, how long ago) is its tooltip.
    column.accessor('clientActivity', {
      id: 'clientActivity',
      header: 'Client activity',
      enableSorting: false,
      cell: (c) => (
        <span title={c.getValue().reason} className={clsx(!c.getValue().active && 'text-red-700')}>
          {c.getValue().active ? 'Active' : 'Inactive'}
          <span className="sr-only"> ({c.getValue().reason})</span>
        </span>
      ),
    }),
    // Most recent first on the first click: what an administrator looking at activity wants.
    column.accessor('lastSeenAt', { header: 'Last seen', sortDescFirst: true, cell: (c) => <RelativeTime iso={c.getValue()} /> }),
    ...(canManage
      ? [
          column.display({
            id: 'actions',
            header: () => <span className="sr-only">Actions</span>,
            cell: (c) => (
              <span className="flex items-center gap-2">
                <ApprovalAction device={c.row.original} />
                <DeleteAction device={c.row.original} />
              </span>
            ),
          }),
        ]
      : []),
  ];
}

/**
 * A server-side paged, sorted and searched device table. The parent owns the filters (the
 * Devices page keeps them in the URL); this component only reports changes.
 */
export function DeviceTable({
  filters,
  onChange,
  canManage,
  caption,
}: {
  filters: DeviceFilters;
  onChange: (next: DeviceFilters) => void;
  canManage: boolean;
  caption: string;
}) {
  const query = useDevicesQuery(filters);
  const [search, setSearch] = useState(filters.search);
  const sentSearch = useRef(filters.search);
  // The search changed from outside (Back, a link): show it instead of sending the old text again.
  useEffect(() => {
    if (filters.search !== sentSearch.current) setSearch(filters.search);
    sentSearch.current = filters.search;
  }, [filters.search]);
  // Debounce typing: one request when the user pauses, back to page 1.
  useEffect(() => {
    if (search === filters.search) return;
    const timer = setTimeout(() => {
      sentSearch.current = search;
      onChange({ ...filters, search, page: 1 });
    }, 300);
    return () => clearTimeout(timer);
  }, [search, filters, onChange]);

  const sorting: SortingState = [{ id: filters.sort, desc: filters.dir === 'desc' }];
  const cols = useMemo(() => columns(canManage), [canManage]);
  const table = useReactTable({
    data: query.data?.rows ?? noRows,
    columns: cols,
    state: { sorting },
    manualSorting: true,
    manualPagination: true,
    enableSortingRemoval: false,
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      if (first) onChange({ ...filters, sort: first.id as DeviceSortColumn, dir: first.desc ? 'desc' : 'asc', page: 1 });
    },
    getCoreRowModel: getCoreRowModel(),
  });

  const total = query.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / filters.pageSize));
  // The range describes the rows on screen, which stay the previous page's until the next arrives.
  const shown = query.data ?? { page: filters.page, pageSize: filters.pageSize, rows: [] };
  const from = shown.rows.length === 0 ? 0 : (shown.page - 1) * shown.pageSize + 1;
  const to = from === 0 ? 0 : from + shown.rows.length - 1;

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <input
          type="search"
          aria-label="Search devices"
          placeholder="Search name, IP address or OS"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="w-72 rounded border border-slate-300 px-2 py-1.5 focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600"
        />
        <select
          aria-label="Online"
          value={filters.online ?? ''}
          className="rounded border border-slate-300 px-2 py-1.5"
          onChange={(e) => onChange({ ...filters, online: (e.target.value || undefined) as DeviceFilters['online'], page: 1 })}
        >
          <option value="">Online and offline</option>
          <option value="true">Online only</option>
          <option value="false">Offline only</option>
        </select>
        <select
          aria-label="Kind"
          value={filters.osKind ?? ''}
          className="rounded border border-slate-300 px-2 py-1.5"
          onChange={(e) => onChange({ ...filters, osKind: (e.target.value || undefined) as DeviceFilters['osKind'], page: 1 })}
        >
          <option value="">Workstations and servers</option>
          <option value="WORKSTATION">Workstations</option>
          <option value="SERVER">Servers</option>
        </select>
        <select
          aria-label="Source"
          value={filters.source ?? ''}
          className="rounded border border-slate-300 px-2 py-1.5"
          onChange={(e) => onChange({ ...filters, source: (e.target.value || undefined) as DeviceFilters['source'], page: 1 })}
        >
          <option value="">Agents and demo devices</option>
          <option value="agent">Hide demo devices</option>
          <option value="demo">Demo devices only</option>
        </select>
        <select
          aria-label="Client activity"
          value={filters.activity ?? ''}
          className="rounded border border-slate-300 px-2 py-1.5"
          onChange={(e) => onChange({ ...filters, activity: (e.target.value || undefined) as DeviceFilters['activity'], page: 1 })}
        >
          <option value="">Active and inactive</option>
          <option value="active">Active only</option>
          <option value="inactive">Inactive only</option>
        </select>
        {query.isFetching && (
          <span className="text-xs text-slate-500" role="status">
            Loading…
          </span>
        )}
      </div>
      {query.error && (
        <p role="alert" className="text-sm text-red-700">
          {(query.error as Error).message}
        </p>
      )}
      <div className="overflow-x-auto rounded border border-slate-200 bg-white">
        <Table framed={false}>
          <caption className="sr-only">{caption}</caption>
          <THead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <Th
                      key={header.id}
                      className="whitespace-nowrap font-semibold"
                      aria-sort={sorted ? (sorted === 'desc' ? 'descending' : 'ascending') : undefined}
                    >
                      {header.column.getCanSort() ? (
                        <button
                          type="button"
                          onClick={header.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 uppercase hover:text-slate-800"
                        >
                          {label}
                          {sorted === 'asc' && <ArrowUp size={12} aria-hidden />}
                          {sorted === 'desc' && <ArrowDown size={12} aria-hidden />}
                        </button>
                      ) : (
                        label
                      )}
                    </Th>
                  );
                })}
              </tr>
            ))}
          </THead>
          <tbody className={clsx('divide-y divide-slate-100', query.isPlaceholderData && 'opacity-60')}>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50">
                {row.getVisibleCells().map((cell) => (
                  <Td key={cell.id} className="whitespace-nowrap">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </Td>
                ))}
              </tr>
            ))}
            {query.data && query.data.rows.length === 0 && (
              <tr>
                <td colSpan={cols.length} className="px-3 py-6 text-center text-slate-500">
                  No devices match.
                </td>
              </tr>
            )}
          </tbody>
        </Table>
      </div>
      <div className="flex items-center justify-between text-sm text-slate-600">
        <span data-testid="device-range">
          {!query.data
            ? 'Loading…'
            : from
              ? `${from.toLocaleString()}–${to.toLocaleString()} of ${total.toLocaleString()}`
              : total
                ? `None on this page of ${total.toLocaleString()}`
                : 'No devices'}
        </span>
        <div className="flex items-center gap-2">
          <label className="flex items-center gap-1">
            Rows
            <Select value={filters.pageSize} controlSize="xs" onChange={(e) => onChange({ ...filters, pageSize: Number(e.target.value), page: 1 })}>
              {devicePageSizes.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </Select>
          </label>
          <button type="button" className={pagerButton} disabled={filters.page <= 1} onClick={() => onChange({ ...filters, page: 1 })}>
            First
          </button>
          <button type="button" className={pagerButton} disabled={filters.page <= 1} onClick={() => onChange({ ...filters, page: filters.page - 1 })}>
            Previous
          </button>
          <span className="tabular-nums">
            Page {filters.page.toLocaleString()} of {pages.toLocaleString()}
          </span>
          <button
            type="button"
            className={pagerButton}
            disabled={filters.page >= pages}
            onClick={() => onChange({ ...filters, page: filters.page + 1 })}
          >
            Next
          </button>
          <button type="button" className={pagerButton} disabled={filters.page >= pages} onClick={() => onChange({ ...filters, page: pages })}>
            Last
          </button>
        </div>
      </div>
    </div>
  );
}
