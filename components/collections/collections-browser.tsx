'use client';

import clsx from 'clsx';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { DeviceTable } from '../devices/device-table';
import type { DeviceFilters } from '../devices/use-devices-query';
import { RelativeTime } from '../ui/relative-time';
import { useCollectionQuery, useCollectionsQuery } from './use-collections-query';

const memberDefaults: Omit<DeviceFilters, 'collectionId'> = { search: '', sort: 'name', dir: 'asc', page: 1, pageSize: 25 };

function CollectionDetailView({ id, canManage }: { id: number; canManage: boolean }) {
  const detail = useCollectionQuery(id);
  const [filters, setFilters] = useState<DeviceFilters>({ ...memberDefaults, collectionId: id });
  if (detail.error) return <p role="alert" className="text-sm text-red-700">{(detail.error as Error).message}</p>;
  if (!detail.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const c = detail.data;
  return (
    <section aria-labelledby="collection-title" className="space-y-4">
      <div>
        <h2 id="collection-title" className="text-base font-semibold">{c.name} <span className="font-normal text-slate-500">({c.collectionId})</span></h2>
        <p className="text-sm text-slate-600">
          {c.memberCount.toLocaleString()} members
          {c.limitingCollection && <> · limited to {c.limitingCollection}</>}
          {' · '}evaluated <RelativeTime iso={c.lastEvaluatedAt} empty="never" /> · refreshed every {c.refreshMinutes} minutes
        </p>
      </div>
      <div>
        <h3 className="text-xs font-semibold uppercase text-slate-500">Membership rules</h3>
        <ul className="mt-1 list-inside list-disc text-sm text-slate-700">
          {c.rules.length ? c.rules.map((r) => <li key={r.id}>{r.description}</li>) : <li>No rules: the collection has no members.</li>}
        </ul>
      </div>
      <DeviceTable filters={filters} onChange={setFilters} canManage={canManage} caption={`Members of ${c.name}`} />
    </section>
  );
}

/** Collections with their member counts; selecting one shows its rules and members. */
export function CollectionsBrowser({ canManage }: { canManage: boolean }) {
  const [search, setSearch] = useState('');
  const collections = useCollectionsQuery(search);
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const selected = Number(params.get('id')) || null;
  return (
    <div className="grid grid-cols-[minmax(22rem,2fr)_5fr] gap-5">
      <div className="space-y-3">
        <input type="search" aria-label="Search collections" placeholder="Search collections" value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="w-full rounded border border-slate-300 px-2 py-1.5 text-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600" />
        <table className="w-full rounded border border-slate-200 bg-white text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
            <tr><th className="px-3 py-2">Collection</th><th className="px-3 py-2">ID</th><th className="px-3 py-2 text-right">Members</th></tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {collections.data?.rows.map((c) => (
              <tr key={c.id} className={clsx('cursor-pointer hover:bg-slate-50', selected === c.id && 'bg-blue-50')}
                onClick={() => router.replace(`${pathname}?id=${c.id}`, { scroll: false })}>
                <td className="px-3 py-1.5">
                  <button type="button" className="text-left font-medium text-blue-800 hover:underline">{c.name}</button>
                  {c.comment && <div className="text-xs text-slate-500">{c.comment}</div>}
                </td>
                <td className="px-3 py-1.5 font-mono text-xs">{c.collectionId}</td>
                <td className="px-3 py-1.5 text-right tabular-nums">{c.memberCount.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div>
        {selected ? <CollectionDetailView key={selected} id={selected} canManage={canManage} /> : (
          <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">Select a collection to see its rules and members.</p>
        )}
      </div>
    </div>
  );
}
