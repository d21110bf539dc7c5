'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { RelativeTime } from '@/components/ui/relative-time';
import { Td } from '@/components/ui/table';
import { api, ApiError } from '@/lib/client/api';
import { plural, pluralWord } from '@/lib/plural';
import { serialName } from '@/lib/sitecontrol/serial-name';
import { formatSettingValue, settingLabel } from '@/lib/sitecontrol/site-settings-fields';
import type { DeltaView } from '@/lib/sitecontrol/site-settings-view';
import { SiteControlLiveProvider } from './site-control-live';
import { siteSettingsKeys, useSiteControlChangeQuery, useSiteControlDiffQuery, useSiteControlHistoryQuery } from './use-site-settings';

function SerialDiff({ from, to }: { from: number; to: number }) {
  const { data, isLoading, error } = useSiteControlDiffQuery(from, to);
  if (isLoading) return <p className="text-sm text-slate-500">Comparing…</p>;
  if (error || !data)
    return (
      <p role="alert" className="text-sm text-red-700">
        {error instanceof ApiError ? error.message : 'The serials could not be compared.'}
      </p>
    );
  return (
    <section aria-label="Differences" className="rounded border border-slate-200 bg-white p-3">
      <h2 className="mb-2 text-sm font-semibold text-slate-800">
        Serial <span className="font-mono">{data.from.serialName}</span> → <span className="font-mono">{data.to.serialName}</span>:{' '}
        {data.changes.length
          ? `${plural(data.changes.length, 'setting')} ${pluralWord(data.changes.length, 'differs', 'differ')}`
          : 'the same settings'}
      </h2>
      {data.changes.length > 0 && (
        <table className="w-full text-left text-sm">
          <thead className="text-xs text-slate-500">
            <tr>
              <th className="py-1 pr-3 font-medium">Setting</th>
              <th className="pr-3 font-medium">{data.from.serialName}</th>
              <th className="font-medium">{data.to.serialName}</th>
            </tr>
          </thead>
          <tbody>
            {data.changes.map((c) => (
              <tr key={c.path} className="border-t border-slate-100">
                <td className="py-1 pr-3" title={c.path}>
                  {settingLabel(c.path)}
                </td>
                <td className="pr-3 text-red-800">
                  <del>{formatSettingValue(c.path, c.before)}</del>
                </td>
                <td className="text-green-800">
                  <ins className="no-underline">{formatSettingValue(c.path, c.after)}</ins>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function RestoreProgress({ id }: { id: number }) {
  const { data } = useSiteControlChangeQuery(id);
  const change = data?.change;
  if (!change) return null;
  if (change.state === 'APPLIED')
    return (
      <span role="status" className="text-green-800">
        Restored as serial <span className="font-mono">{serialName(change.appliedSerial ?? 0)}</span>.
      </span>
    );
  if (change.state === 'REJECTED')
    return (
      <span role="alert" className="text-red-700">
        Refused: {change.error}
      </span>
    );
  return (
    <span role="status" className="text-amber-800">
      Restore pending ({change.state.toLowerCase()})…
    </span>
  );
}

/**
 * The History page: the current serial and the last 100 documents before it, each named by its
 * serial in 8-digit hexadecimal; pick any two to compare, restore one as a new change, or
 * download any as text.
 */
function SiteControlHistoryBody({ canEdit }: { canEdit: boolean }) {
  const queryClient = useQueryClient();
  const { data, isLoading } = useSiteControlHistoryQuery();
  const [from, setFrom] = useState<number | null>(null);
  const [to, setTo] = useState<number | null>(null);
  const [restoreId, setRestoreId] = useState<number | null>(null);
  const [restoreError, setRestoreError] = useState<string | null>(null);
  const restore = useMutation({
    mutationFn: (body: { serial: number; baseSerial: number }) => api<{ change: DeltaView }>('/api/site-settings/restore', { method: 'POST', body }),
    onSuccess: ({ change }) => {
      setRestoreError(null);
      setRestoreId(change.id);
      void queryClient.invalidateQueries({ queryKey: siteSettingsKeys.all });
    },
    onError: (e) => setRestoreError(e instanceof ApiError ? e.message : 'The restore could not be sent.'),
  });

  if (isLoading || !data) return <p className="text-sm text-slate-500">Loading history…</p>;
  const current = data.entries.find((e) => e.current);
  const shownFrom = from ?? data.entries[1]?.serial ?? null;
  const shownTo = to ?? current?.serial ?? null;

  return (
    <div className="max-w-5xl space-y-4">
      <div className="flex flex-wrap items-center gap-4 text-sm">
        <Link href="/administration/site-settings" className="text-blue-700 hover:underline">
          ← Site Settings
        </Link>
        <span className="text-slate-600">{plural(data.entries.length - 1, 'earlier document')} kept (at most 100).</span>
        {restoreId !== null && <RestoreProgress key={restoreId} id={restoreId} />}
        {restoreError && (
          <span role="alert" className="text-red-700">
            {restoreError}
          </span>
        )}
      </div>
      <table className="w-full rounded border border-slate-200 bg-white text-left text-sm">
        <thead className="bg-slate-50 text-xs text-slate-500">
          <tr>
            <th className="px-2 py-1.5 font-medium">Serial</th>
            <th className="px-2 font-medium">Changed by</th>
            <th className="px-2 font-medium">When</th>
            <th className="px-2 font-medium">Properties</th>
            <th className="px-2 font-medium" title="Compare: from">
              From
            </th>
            <th className="px-2 font-medium" title="Compare: to">
              To
            </th>
            <th className="px-2 font-medium">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {data.entries.map((e) => (
            <tr key={e.serial} data-testid={`history-${e.serialName}`} className="border-t border-slate-100 align-top">
              <Td className="font-mono">
                {e.serialName}
                {e.current && <span className="ml-1 rounded bg-blue-100 px-1 font-sans text-xs text-blue-800">current</span>}
              </Td>
              <td className="px-2">{e.changedBy}</td>
              <td className="px-2">
                <RelativeTime iso={e.changedAt} />
              </td>
              <td className="px-2 text-xs">
                {e.properties.length ? (
                  <ul>
                    {e.changes.map((c) => (
                      <li key={c.path} title={c.path}>
                        {settingLabel(c.path)}: {formatSettingValue(c.path, c.before)} → {formatSettingValue(c.path, c.after)}
                      </li>
                    ))}
                  </ul>
                ) : (
                  <span className="text-slate-400">{e.serial === 0 ? 'Written at setup' : '—'}</span>
                )}
              </td>
              <td className="px-2">
                <input
                  type="radio"
                  name="from"
                  aria-label={`Compare from ${e.serialName}`}
                  checked={shownFrom === e.serial}
                  onChange={() => setFrom(e.serial)}
                />
              </td>
              <td className="px-2">
                <input
                  type="radio"
                  name="to"
                  aria-label={`Compare to ${e.serialName}`}
                  checked={shownTo === e.serial}
                  onChange={() => setTo(e.serial)}
                />
              </td>
              <Td className="whitespace-nowrap text-right">
                <a href={`/api/site-settings/document?serial=${e.serial}`} className="mr-2 text-xs text-blue-700 hover:underline" download>
                  Download
                </a>
                {canEdit && !e.current && current && (
                  <Button
                    size="xs"
                    disabled={restore.isPending}
                    onClick={() => {
                      if (window.confirm(`Restore the settings of serial ${e.serialName}? This is a new change, applied as the next serial.`)) {
                        restore.mutate({ serial: e.serial, baseSerial: current.serial });
                      }
                    }}
                  >
                    Restore this version
                  </Button>
                )}
              </Td>
            </tr>
          ))}
        </tbody>
      </table>
      {shownFrom !== null && shownTo !== null && <SerialDiff from={shownFrom} to={shownTo} />}
    </div>
  );
}

export function SiteControlHistory({ canEdit }: { canEdit: boolean }) {
  return (
    <SiteControlLiveProvider>
      <SiteControlHistoryBody canEdit={canEdit} />
    </SiteControlLiveProvider>
  );
}
