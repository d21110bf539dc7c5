'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { api, ApiError } from '@/lib/client/api';
import type { CollectionRow } from '@/lib/collections/list-collections.schema';
import { plural } from '@/lib/plural';
import { DeviceTable } from '../devices/device-table';
import type { DeviceFilters } from '../devices/use-devices-query';
import { RelativeTime } from '../ui/relative-time';
import { useDebouncedValue } from '../ui/use-debounced-value';
import { CollectionForm } from './collection-form';
import { useLiveCollections } from './use-live-collections';
import { useCollectionQuery, useCollectionsQuery } from './use-collections-query';

/** Edit, evaluate now and delete, for those whose role may change collections. */
function CollectionActions({
  id,
  builtIn,
  name,
  onEdit,
  onDeleted,
}: {
  id: number;
  builtIn: boolean;
  name: string;
  onEdit: () => void;
  onDeleted: () => void;
}) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const refresh = () => {
    setError(null);
    void queryClient.invalidateQueries({ queryKey: ['collections'] });
    void queryClient.invalidateQueries({ queryKey: ['collection', id] });
    void queryClient.invalidateQueries({ queryKey: ['devices'] });
  };
  const onError = (e: unknown) => setError(e instanceof ApiError ? e.message : 'The request failed.');
  const evaluate = useMutation({ mutationFn: () => api(`/api/collections/${id}/evaluate`, { method: 'POST' }), onSuccess: refresh, onError });
  const remove = useMutation({
    mutationFn: () => api(`/api/collections/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      refresh();
      onDeleted();
    },
    onError,
  });
  return (
    <div className="flex items-center gap-2">
      {!builtIn && (
        <Button size="xs" onClick={onEdit}>
          Edit
        </Button>
      )}
      <Button size="xs" disabled={evaluate.isPending} onClick={() => evaluate.mutate()}>
        Evaluate now
      </Button>
      {!builtIn && (
        <Button
          size="xs"
          disabled={remove.isPending}
          onClick={() => {
            if (window.confirm(`Delete the collection "${name}"?`)) remove.mutate();
          }}
        >
          Delete
        </Button>
      )}
      {error && (
        <span role="alert" className="text-xs text-red-700">
          {error}
        </span>
      )}
    </div>
  );
}

const memberDefaults: Omit<DeviceFilters, 'collectionId'> = { search: '', sort: 'name', dir: 'asc', page: 1, pageSize: 25 };

function CollectionDetailView({
  id,
  canManage,
  canEdit,
  collections,
  onDeleted,
}: {
  id: number;
  canManage: boolean;
  canEdit: boolean;
  collections: CollectionRow[];
  onDeleted: () => void;
}) {
  const detail = useCollectionQuery(id);
  const [filters, setFilters] = useState<DeviceFilters>({ ...memberDefaults, collectionId: id });
  const [editing, setEditing] = useState(false);
  if (detail.error)
    return (
      <p role="alert" className="text-sm text-red-700">
        {detail.error.message}
      </p>
    );
  if (!detail.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const c = detail.data;
  if (editing) {
    return <CollectionForm key={c.id} detail={c} collections={collections} onSaved={() => setEditing(false)} onCancel={() => setEditing(false)} />;
  }
  return (
    <section aria-labelledby="collection-title" className="space-y-4 border-t border-slate-200 pt-4">
      {canEdit && <CollectionActions id={c.id} builtIn={c.builtIn} name={c.name} onEdit={() => setEditing(true)} onDeleted={onDeleted} />}
      <div>
        <h2 id="collection-title" className="text-base font-semibold">
          {c.name} <span className="font-normal text-slate-500">({c.collectionId})</span>
        </h2>
        <p className="text-sm text-slate-600">
          {plural(c.memberCount, 'member')}
          {c.limitingCollection && <> · limited to {c.limitingCollection}</>}
          {' · '}evaluated <RelativeTime iso={c.lastEvaluatedAt} empty="never" /> · refreshed every {plural(c.refreshMinutes, 'minute')}
        </p>
        {c.comment && <p className="mt-1 text-sm text-slate-500">{c.comment}</p>}
      </div>
      <div>
        <h3 className="text-xs font-semibold uppercase text-slate-500">Membership rules</h3>
        <ul className="mt-1 list-inside list-disc space-y-0.5 text-sm text-slate-700">
          {c.rules.length ? c.rules.map((r) => <li key={r.id}>{r.description}</li>) : <li>No rules: the collection has no members.</li>}
        </ul>
      </div>
      <div>
        <h3 className="mb-2 text-xs font-semibold uppercase text-slate-500">Members</h3>
        <DeviceTable filters={filters} onChange={setFilters} canManage={canManage} caption={`Members of ${c.name}`} />
      </div>
    </section>
  );
}

function CollectionList({ rows, selected, onSelect }: { rows: CollectionRow[]; selected: number | null; onSelect: (id: number) => void }) {
  return (
    <div className="max-h-80 overflow-auto rounded border border-slate-200 bg-white">
      <Table framed={false}>
        <caption className="sr-only">Collections</caption>
        <THead className="sticky top-0 whitespace-nowrap">
          <tr>
            <Th className="font-semibold">Name</Th>
            <Th className="font-semibold">Collection ID</Th>
            <Th className="font-semibold">Comment</Th>
            <Th className="font-semibold text-right">Members</Th>
            <Th className="font-semibold">Limiting collection</Th>
            <Th className="font-semibold">Last evaluated</Th>
          </tr>
        </THead>
        <TBody>
          {rows.map((c) => (
            <tr key={c.id} onClick={() => onSelect(c.id)} className={clsx('cursor-pointer', selected === c.id ? 'bg-blue-50' : 'hover:bg-slate-50')}>
              <Td className="whitespace-nowrap">
                <button
                  type="button"
                  aria-current={selected === c.id ? 'true' : undefined}
                  onClick={(e) => {
                    e.stopPropagation();
                    onSelect(c.id);
                  }}
                  className="text-left font-medium text-blue-800 hover:underline"
                >
                  {c.name}
                </button>
              </Td>
              <Td className="font-mono text-xs">{c.collectionId}</Td>
              <Td className="max-w-xs truncate text-slate-600" title={c.comment}>
                {c.comment}
              </Td>
              <Td className="text-right tabular-nums">{c.memberCount.toLocaleString()}</Td>
              <Td className="whitespace-nowrap text-slate-600">{c.limitingCollection ?? ''}</Td>
              <Td className="whitespace-nowrap text-slate-600">
                <RelativeTime iso={c.lastEvaluatedAt} />
              </Td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                No collections match.
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}

/**
 * Collections with their member counts; selecting one (kept in the URL as ?id=) shows its
 * rules and its members below, like the console's list and details panes.
 */
export function CollectionsBrowser({ canManage, canEdit = false }: { canManage: boolean; canEdit?: boolean }) {
  const [search, setSearch] = useState('');
  const collections = useCollectionsQuery({ search: useDebouncedValue(search.trim()) });
  useLiveCollections();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const selected = Number(params.get('id')) || null;
  const rows = collections.data?.rows ?? [];
  const [creating, setCreating] = useState(false);
  const select = (id: number) => router.replace(`${pathname}?id=${id}`, { scroll: false });
  return (
    <div className="space-y-4">
      {creating && (
        <CollectionForm
          collections={rows}
          onCancel={() => setCreating(false)}
          onSaved={(id) => {
            setCreating(false);
            select(id);
          }}
        />
      )}
      <div className="space-y-2">
        <div className="flex items-center gap-3 text-sm">
          {canEdit && !creating && (
            <Button onClick={() => setCreating(true)} variant="primary">
              New collection
            </Button>
          )}
          <input
            type="search"
            aria-label="Search collections"
            placeholder="Search name or collection ID"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            className="w-72 rounded border border-slate-300 px-2 py-1.5 focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600"
          />
          <span className="text-slate-500">{collections.data ? plural(rows.length, 'collection') : ''}</span>
          {collections.isFetching && (
            <span className="text-xs text-slate-500" role="status">
              Loading…
            </span>
          )}
        </div>
        {collections.error && (
          <p role="alert" className="text-sm text-red-700">
            {collections.error.message}
          </p>
        )}
        <CollectionList rows={rows} selected={selected} onSelect={select} />
      </div>
      {selected ? (
        <CollectionDetailView
          key={selected}
          id={selected}
          canManage={canManage}
          canEdit={canEdit}
          collections={rows}
          onDeleted={() => router.replace(pathname, { scroll: false })}
        />
      ) : (
        <p className="rounded border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-500">
          Select a collection to see its rules and members.
        </p>
      )}
    </div>
  );
}
