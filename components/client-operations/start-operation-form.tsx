'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Textarea } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { api, ApiError } from '@/lib/client/api';
import type { CollectionRow } from '@/lib/collections/list-collections.schema';
import { clientActionLabels, clientActions, type ClientAction } from '@/lib/protocol/agent-protocol.schema';
import { plural, pluralWord } from '@/lib/plural';
import { useLiveCollections } from '../collections/use-live-collections';
import { useScriptsQuery } from '../scripts/use-scripts-query';
import { LiveQueryEditor } from './live-query-editor';
import { useOnlineEstimateQuery, useStartClientOperation, type PickedTarget } from './use-client-operations';

function parseNames(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((n) => n.trim())
        .filter(Boolean),
    ),
  ];
}

/**
 * Starts a client operation: pick the action and a collection or devices, see how many clients
 * it targets and how many are online now, then confirm.
 */
export function StartOperationForm({ onStarted, initialQuery }: { onStarted: (id: number) => void; initialQuery?: string }) {
  // A link may bring a live query to run (a metering report's "running now"): the form opens on it.
  const [action, setAction] = useState<ClientAction>(initialQuery ? 'LIVE_QUERY' : 'DOWNLOAD_COMPUTER_POLICY');
  const [mode, setMode] = useState<'collection' | 'devices'>('collection');
  const [collectionId, setCollectionId] = useState<string>('');
  const [names, setNames] = useState('');
  const [picked, setPicked] = useState<PickedTarget | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [scriptId, setScriptId] = useState('');
  const [scriptArgs, setScriptArgs] = useState<Record<string, string>>({});
  const [queryText, setQueryText] = useState(initialQuery ?? '');
  const scripts = useScriptsQuery();
  const approvedScripts = scripts.data?.rows.filter((s) => s.approval) ?? [];
  const script = approvedScripts.find((s) => String(s.id) === scriptId);
  const fieldErrorId = `${useId()}-error`;
  const errorLink = fieldError ? ({ 'aria-invalid': true, 'aria-describedby': fieldErrorId } as const) : {};
  const collections = useQuery({
    queryKey: ['collections', { search: '' }],
    queryFn: ({ signal }) => api<{ rows: CollectionRow[] }>('/api/collections', { signal }),
  });
  // A collection evaluated while the form is open: the picker's member counts follow.
  useLiveCollections();
  const estimate = useOnlineEstimateQuery(picked);
  const start = useStartClientOperation();
  // The confirmation takes the focus as it opens, Escape cancels it, and the focus goes back to Review….
  const confirming = Boolean(picked && estimate.data);
  const confirmRef = useRef<HTMLDivElement>(null);
  const reviewRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const cancel = () => {
    setPicked(null);
    reviewRef.current?.focus();
  };

  const review = () => {
    setFieldError(null);
    start.reset();
    if (action === 'RUN_SCRIPT' && !script) return setFieldError('Pick an approved script.');
    if (action === 'LIVE_QUERY' && !queryText.trim()) return setFieldError('Type a query.');
    if (mode === 'collection') {
      if (!collectionId) return setFieldError('Pick a collection.');
      setPicked({ collectionId: Number(collectionId) });
    } else {
      const list = parseNames(names);
      if (!list.length) return setFieldError('Name at least one device.');
      if (list.length > 1000) return setFieldError('Name at most 1,000 devices; use a collection for more.');
      setPicked({ deviceNames: list });
    }
  };

  const confirm = () => {
    if (!picked) return;
    start.mutate(
      {
        action,
        target: picked,
        ...(action === 'RUN_SCRIPT' && script ? { script: { scriptId: script.id, arguments: scriptArgs } } : {}),
        ...(action === 'LIVE_QUERY' ? { liveQuery: { query: queryText } } : {}),
      },
      {
        onSuccess: (operation) => {
          setPicked(null);
          onStarted(operation.id);
        },
      },
    );
  };

  const estimateError = estimate.error instanceof ApiError ? estimate.error : null;
  const startError = start.error instanceof ApiError ? start.error : null;
  return (
    <section aria-label="Start a client operation" className="mb-4 rounded border border-slate-200 bg-slate-50 p-3">
      <div className="flex flex-wrap items-end gap-3">
        <label className="flex flex-col text-xs text-slate-600">
          Action
          <Select aria-label="Action" value={action} onChange={(e) => (setAction(e.target.value as ClientAction), setPicked(null))}>
            {clientActions.map((a) => (
              <option key={a} value={a}>
                {clientActionLabels[a]}
              </option>
            ))}
          </Select>
        </label>
        {action === 'RUN_SCRIPT' && (
          <label className="flex flex-col text-xs text-slate-600">
            Script
            <Select aria-label="Script" value={scriptId} onChange={(e) => (setScriptId(e.target.value), setScriptArgs({}), setPicked(null))}>
              <option value="">Pick an approved script…</option>
              {approvedScripts.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name}
                </option>
              ))}
            </Select>
          </label>
        )}
        {action === 'RUN_SCRIPT' &&
          script?.parameters.map((p) => (
            <label key={p.name} className="flex flex-col text-xs text-slate-600">
              {p.name}
              {p.required ? ' (required)' : ''}
              {p.type === 'choice' ? (
                <Select
                  aria-label={p.name}
                  value={scriptArgs[p.name] ?? ''}
                  onChange={(e) => (setScriptArgs({ ...scriptArgs, [p.name]: e.target.value }), setPicked(null))}
                >
                  <option value="" />
                  {p.choices?.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </Select>
              ) : (
                <Textarea
                  aria-label={p.name}
                  className="h-8 w-56 font-mono"
                  placeholder={p.type === 'boolean' ? 'true or false' : p.type}
                  value={scriptArgs[p.name] ?? ''}
                  onChange={(e) => (setScriptArgs({ ...scriptArgs, [p.name]: e.target.value }), setPicked(null))}
                />
              )}
            </label>
          ))}
        {action === 'LIVE_QUERY' && (
          <LiveQueryEditor value={queryText} onChange={(text) => (setQueryText(text), setPicked(null))} startError={start.error} />
        )}
        <fieldset className="flex flex-col text-xs text-slate-600">
          <legend>Target</legend>
          <div className="flex gap-3 py-1 text-sm text-slate-800">
            <label className="flex items-center gap-1">
              <input type="radio" name="target-mode" checked={mode === 'collection'} onChange={() => (setMode('collection'), setPicked(null))} /> A
              collection
            </label>
            <label className="flex items-center gap-1">
              <input type="radio" name="target-mode" checked={mode === 'devices'} onChange={() => (setMode('devices'), setPicked(null))} /> Selected
              devices
            </label>
          </div>
        </fieldset>
        {mode === 'collection' ? (
          <label className="flex flex-col text-xs text-slate-600">
            Collection
            <Select aria-label="Collection" value={collectionId} onChange={(e) => (setCollectionId(e.target.value), setPicked(null))} {...errorLink}>
              <option value="">Pick a collection…</option>
              {collections.data?.rows.map((c) => (
                <option key={c.id} value={c.id}>{`${c.name} (${c.memberCount.toLocaleString()})`}</option>
              ))}
            </Select>
          </label>
        ) : (
          <label className="flex flex-col text-xs text-slate-600">
            Device names (comma or space separated)
            <Textarea className="h-8 w-72" value={names} onChange={(e) => (setNames(e.target.value), setPicked(null))} {...errorLink} />
          </label>
        )}
        <Button ref={reviewRef} size="sm" onClick={review}>
          Review…
        </Button>
      </div>
      {fieldError && (
        <p id={fieldErrorId} role="alert" className="mt-1 text-xs text-red-700">
          {fieldError}
        </p>
      )}
      {estimateError && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {estimateError.fieldMessage('collectionId') ?? estimateError.message}
        </p>
      )}
      {picked && estimate.isLoading && <p className="mt-2 text-sm text-slate-500">Counting online clients…</p>}
      {picked && estimate.data && (
        <div
          ref={confirmRef}
          role="dialog"
          aria-label="Confirm client operation"
          tabIndex={-1}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !start.isPending) {
              e.stopPropagation();
              cancel();
            }
          }}
          className="mt-3 rounded border border-blue-200 bg-white p-3 text-sm focus:outline-none"
        >
          <p>
            <strong>
              {clientActionLabels[action]}
              {action === 'RUN_SCRIPT' && script ? ` ${script.name}` : ''}
            </strong>{' '}
            on <strong>{estimate.data.targetName}</strong>: <span data-testid="estimate-total">{estimate.data.total.toLocaleString()}</span>{' '}
            {pluralWord(estimate.data.total, 'client')}, of which an estimated{' '}
            <strong data-testid="estimate-online">{estimate.data.online.toLocaleString()}</strong> {pluralWord(estimate.data.online, 'is', 'are')}{' '}
            online now.
            {estimate.isFetching && (
              <span role="status" className="ml-2 text-xs text-slate-500">
                Refreshing…
              </span>
            )}
          </p>
          <p className="text-slate-500">
            Clients offline now get it if they come online within {plural(estimate.data.validityMinutes, 'minute')}; after that they count as expired.
          </p>
          {estimate.data.unknownDevices.length > 0 && (
            <p className="text-amber-700">
              No device is named {estimate.data.unknownDevices.slice(0, 10).join(', ')}
              {estimate.data.unknownDevices.length > 10 ? '…' : ''}.
            </p>
          )}
          <div className="mt-2 flex gap-2">
            <Button variant="primary" size="sm" disabled={start.isPending || estimate.data.total === 0} onClick={confirm}>
              {start.isPending ? 'Starting…' : `Start on ${plural(estimate.data.total, 'client')}`}
            </Button>
            <Button size="sm" onClick={cancel}>
              Cancel
            </Button>
          </div>
          {startError && (
            <p role="alert" className="mt-1 text-red-700">
              {startError.fields[0]?.message ? `${startError.fields[0].path}: ${startError.fields[0].message}` : startError.message}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
