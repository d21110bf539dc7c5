'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Textarea } from '@/components/ui/input';
import { RelativeTime } from '@/components/ui/relative-time';
import { Select } from '@/components/ui/select';
import { api, ApiError, type FieldError } from '@/lib/client/api';
import { getAt, sameValue, settingLeaves } from '@/lib/sitecontrol/document-paths';
import { serialName } from '@/lib/sitecontrol/serial-name';
import type { Conflict } from '@/lib/sitecontrol/site-control-change.schema';
import type { SiteSettings } from '@/lib/sitecontrol/site-control.schema';
import { formatSettingValue, settingLabel, settingTabs, type SettingField, type SettingTab } from '@/lib/sitecontrol/site-settings-fields';
import type { DeltaView } from '@/lib/sitecontrol/site-settings-view';
import { SiteControlLiveProvider } from './site-control-live';
import { siteSettingsKeys, useSiteControlChangeQuery, useSiteSettingsQuery } from './use-site-settings';

/** What an input holds: text for text and number inputs, a flag for check boxes. */
type Draft = Record<string, string | boolean>;

const fields = settingTabs.flatMap((t) => t.groups.flatMap((g) => g.fields));

function draftOf(settings: SiteSettings): Draft {
  const draft: Draft = {};
  for (const f of fields) {
    const value = getAt(settings, f.path);
    draft[f.path] =
      f.kind === 'boolean'
        ? Boolean(value)
        : f.kind === 'lines' && Array.isArray(value)
          ? value.join('\n')
          : value === null || value === undefined
            ? ''
            : String(value);
  }
  return draft;
}

/** The input's value as the setting's type; text that is not a number stays text, for its error. */
function valueOf(field: SettingField, input: string | boolean): unknown {
  if (field.kind === 'boolean') return input;
  // One value per line; blank lines are ignored.
  if (field.kind === 'lines')
    return String(input)
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
  const text = String(input).trim();
  if (field.kind === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (field.nullable && text === '') return null;
  return text;
}

/** The settings the draft changes, and the fields the browser can already tell are wrong. */
function changesOf(draft: Draft, settings: SiteSettings): { changes: Record<string, unknown>; errors: FieldError[] } {
  const changes: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const f of fields) {
    if (f.readOnly) continue;
    const value = valueOf(f, draft[f.path]);
    if (sameValue(value, getAt(settings, f.path))) continue;
    const parsed = settingLeaves.get(f.path)?.safeParse(value);
    if (parsed && !parsed.success) errors.push({ path: f.path, message: parsed.error.issues[0]?.message ?? 'is not valid' });
    else changes[f.path] = parsed ? parsed.data : value;
  }
  return { changes, errors };
}

/** The API names body fields ("changes.<path>"); the form, settings. */
const settingPath = (path: string) => path.replace(/^changes\./, '');

const stateLabels: Record<DeltaView['state'], string> = {
  PENDING: 'Stored; waiting for Hierarchy Manager',
  QUEUED: 'Handed to Site Control Manager',
  MERGED: 'Merged; Hierarchy Manager is updating the site database',
  APPLIED: 'Applied',
  REJECTED: 'Refused by Site Control Manager',
};

function ChangeProgress({ id, onSettled }: { id: number; onSettled: (change: DeltaView) => void }) {
  const { data } = useSiteControlChangeQuery(id);
  const change = data?.change;
  useEffect(() => {
    if (change && (change.state === 'APPLIED' || change.state === 'REJECTED')) onSettled(change);
  }, [change, onSettled]);
  if (!change) return null;
  if (change.state === 'APPLIED') {
    return (
      <p role="status" data-testid="change-applied" className="text-sm text-green-800">
        Change {change.id} applied: the site control serial is now <strong className="font-mono">{serialName(change.appliedSerial ?? 0)}</strong>.
      </p>
    );
  }
  if (change.state === 'REJECTED') {
    return (
      <p role="alert" className="text-sm text-red-700">
        Change {change.id} was refused: {change.error}
      </p>
    );
  }
  return (
    <p role="status" data-testid="change-pending" className="flex items-center gap-2 text-sm text-amber-800">
      <span className="inline-block h-2 w-2 animate-pulse rounded-full bg-amber-500" aria-hidden />
      Change {change.id} pending — {stateLabels[change.state]}…
    </p>
  );
}

function ConflictList({ conflicts }: { conflicts: Conflict[] }) {
  return (
    <ul className="mt-1 list-disc pl-5 text-xs">
      {conflicts.map((c, i) => (
        <li key={`${c.path}-${i}`}>
          {settingLabel(c.path)}: {c.changedBy} changed it from {formatSettingValue(c.path, c.before)} to {formatSettingValue(c.path, c.after)}{' '}
          {c.serial === null ? `(change ${c.deltaId}, not yet applied)` : `in serial ${serialName(c.serial)}`} <RelativeTime iso={c.changedAt} />
        </li>
      ))}
    </ul>
  );
}

function FieldInput({
  field,
  value,
  error,
  disabled,
  onChange,
}: {
  field: SettingField;
  value: string | boolean;
  error?: string;
  disabled: boolean;
  onChange: (value: string | boolean) => void;
}) {
  const id = `setting-${field.path}`;
  const described = [field.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: field.path,
    disabled: disabled || field.readOnly,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': described,
  };
  return (
    <div className={field.kind === 'boolean' ? 'col-span-2' : ''}>
      {field.kind === 'boolean' ? (
        <label htmlFor={id} className="flex items-center gap-2 text-sm text-slate-800">
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => onChange(e.target.checked)} className="h-4 w-4" />
          {field.label}
        </label>
      ) : (
        <>
          <label htmlFor={id} className="text-xs font-medium text-slate-600">
            {field.label}
            {field.unit && <span className="font-normal text-slate-400"> ({field.unit})</span>}
          </label>
          {field.kind === 'select' ? (
            <Select {...common} value={String(value)} onChange={(e) => onChange(e.target.value)} className="mt-0.5 block w-full">
              {field.options?.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </Select>
          ) : field.kind === 'lines' ? (
            <Textarea
              {...common}
              rows={4}
              spellCheck={false}
              value={String(value)}
              onChange={(e) => onChange(e.target.value)}
              className="mt-0.5 block w-full font-mono"
            />
          ) : (
            <Input
              {...common}
              type="text"
              inputMode={field.kind === 'number' ? 'numeric' : undefined}
              value={String(value)}
              onChange={(e) => onChange(e.target.value)}
              className="mt-0.5 block w-full"
            />
          )}
        </>
      )}
      {field.hint && (
        <p id={`${id}-hint`} className="mt-0.5 text-xs text-slate-400">
          {field.hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-0.5 text-xs text-red-700">
          {field.label} {error}
        </p>
      )}
    </div>
  );
}

function RecentChanges({ changes }: { changes: DeltaView[] }) {
  if (!changes.length) return null;
  return (
    <section className="mt-4">
      <h2 className="mb-1 text-sm font-semibold text-slate-800">Latest changes</h2>
      <table className="w-full text-left text-xs">
        <thead className="text-slate-500">
          <tr>
            <th className="py-1 pr-3 font-medium">Change</th>
            <th className="pr-3 font-medium">By</th>
            <th className="pr-3 font-medium">Submitted</th>
            <th className="pr-3 font-medium">State</th>
            <th className="font-medium">Properties</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((d) => (
            <tr key={d.id} className="border-t border-slate-100 align-top">
              <td className="py-1 pr-3 font-mono">{d.id}</td>
              <td className="pr-3">{d.submittedBy}</td>
              <td className="pr-3">
                <RelativeTime iso={d.submittedAt} />
              </td>
              <td className="pr-3">
                {d.state === 'APPLIED' ? (
                  `Applied as ${serialName(d.appliedSerial ?? 0)}`
                ) : d.state === 'REJECTED' ? (
                  <span className="text-red-700" title={d.error ?? ''}>
                    Refused
                  </span>
                ) : (
                  <span className="text-amber-700">Pending ({d.state.toLowerCase()})</span>
                )}
              </td>
              <td>
                {Object.keys(d.changes).map(settingLabel).join('; ')}
                {d.comment && <span className="text-slate-500"> — {d.comment}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/**
 * Site Settings as the console's property sheets: one tab per sheet, OK/Apply sending only the
 * settings that changed, made from the serial on screen. The change then shows as pending
 * until the workers apply it and its serial appears.
 */
function SiteSettingsSheetsBody({ canEdit }: { canEdit: boolean }) {
  const queryClient = useQueryClient();
  const router = useRouter();
  const { data: view, isLoading, error: loadError } = useSiteSettingsQuery();
  const [tab, setTab] = useState<SettingTab['id']>('general');
  const [draft, setDraft] = useState<Draft | null>(null);
  // The document the form was made from: a change is made from its serial.
  const [base, setBase] = useState<{ serial: number; settings: SiteSettings } | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<{ message: string; conflicts: Conflict[] } | null>(null);
  const [pendingId, setPendingId] = useState<number | null>(null);
  const [inFlight, setInFlight] = useState(false);
  // Once a change applied, the form takes the first document at or past its serial.
  const [rebaseAt, setRebaseAt] = useState<number | null>(null);
  const settledIds = useRef(new Set<number>());

  // A new serial replaces a form nobody is editing; an edited form keeps its base serial.
  const dirty = useMemo(() => {
    if (!draft || !base) return false;
    const { changes, errors: invalid } = changesOf(draft, base.settings);
    return Object.keys(changes).length + invalid.length > 0;
  }, [draft, base]);
  const reload = () => {
    if (!view) return;
    setDraft(draftOf(view.settings));
    setBase({ serial: view.serial, settings: view.settings });
    setErrors([]);
    setFailure(null);
  };
  useEffect(() => {
    if (!view || inFlight) return;
    const applied = rebaseAt !== null && view.serial >= rebaseAt;
    if (base === null || applied || (!dirty && base.serial !== view.serial)) {
      setDraft(draftOf(view.settings));
      setBase({ serial: view.serial, settings: view.settings });
      if (applied) setRebaseAt(null);
    }
  }, [view, base, dirty, inFlight, rebaseAt]);

  const onSettled = useCallback(
    (change: DeltaView) => {
      if (settledIds.current.has(change.id)) return;
      settledIds.current.add(change.id);
      // Applied: the form takes the new serial (the effect above, once the query refetches).
      // Refused: the edits stay, to be corrected or discarded.
      if (change.state === 'APPLIED') setRebaseAt(change.appliedSerial ?? 0);
      // The live event refreshes the frame too, but not while the channel is down (its socket is
      // dropped when the session ends, as mid-edit): the header would keep the old site name.
      if (change.state === 'APPLIED') router.refresh();
      setInFlight(false);
      void queryClient.invalidateQueries({ queryKey: siteSettingsKeys.all });
    },
    [queryClient, router],
  );

  const submit = useMutation({
    mutationFn: (body: { baseSerial: number; changes: Record<string, unknown> }) =>
      api<{ change: DeltaView }>('/api/site-settings/changes', { method: 'POST', body }),
    onSuccess: ({ change }) => {
      setErrors([]);
      setFailure(null);
      setPendingId(change.id);
      setInFlight(true);
      void queryClient.invalidateQueries({ queryKey: siteSettingsKeys.current() });
    },
    onError: (e) => {
      if (!(e instanceof ApiError)) return setFailure({ message: 'The change could not be sent.', conflicts: [] });
      const fieldErrors = e.fields.map((f) => ({ path: settingPath(f.path), message: f.message }));
      setErrors(fieldErrors);
      const details = e.details as { conflicts?: Conflict[] } | undefined;
      setFailure({ message: e.message, conflicts: details?.conflicts ?? [] });
      const first = fieldErrors.find((f) => fields.some((x) => x.path === f.path));
      if (first) setTab(settingTabs.find((t) => t.groups.some((g) => g.fields.some((x) => x.path === first.path)))!.id);
    },
  });

  if (isLoading || !draft || !view || !base)
    return <p className="text-sm text-slate-500">{loadError ? 'The site settings could not be loaded.' : 'Loading site settings…'}</p>;

  const apply = () => {
    const { changes, errors: local } = changesOf(draft, base.settings);
    setFailure(null);
    // The previous change has settled (Apply waits for it); its outcome no longer describes the form.
    setPendingId(null);
    if (local.length) {
      setErrors(local);
      const first = settingTabs.find((t) => t.groups.some((g) => g.fields.some((f) => f.path === local[0].path)));
      if (first) setTab(first.id);
      return;
    }
    if (!Object.keys(changes).length) return;
    submit.mutate({ baseSerial: base.serial, changes });
  };
  const errorOf = (path: string) => errors.find((e) => e.path === path)?.message;
  const current = settingTabs.find((t) => t.id === tab)!;
  const errorsIn = (t: SettingTab) => t.groups.reduce((n, g) => n + g.fields.filter((f) => errorOf(f.path)).length, 0);

  return (
    <div className="max-w-3xl">
      <div className="mb-3 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-slate-600">
        <span>
          Site <strong>{view.siteCode}</strong> · serial{' '}
          <strong data-testid="current-serial" className="font-mono">
            {view.serialName}
          </strong>
        </span>
        <span>
          last changed by {view.changedBy} <RelativeTime iso={view.changedAt} />
        </span>
        <Link href="/administration/site-settings/history" className="text-blue-700 hover:underline">
          History
        </Link>
        <a href="/api/site-settings/document" className="text-blue-700 hover:underline" download>
          Download as text
        </a>
      </div>

      <form
        className="rounded border border-slate-200 bg-white"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <div role="tablist" aria-label="Site settings" className="flex border-b border-slate-200 bg-slate-50 px-2 pt-2">
          {settingTabs.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={t.id === tab}
              aria-controls={`panel-${t.id}`}
              onClick={() => setTab(t.id)}
              className={`-mb-px rounded-t border px-3 py-1.5 text-sm ${t.id === tab ? 'border-slate-200 border-b-white bg-white font-medium text-slate-900' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
            >
              {t.label}
              {errorsIn(t) > 0 && <span className="ml-1 rounded-full bg-red-600 px-1.5 text-xs text-white">{errorsIn(t)}</span>}
            </button>
          ))}
        </div>
        <div role="tabpanel" id={`panel-${current.id}`} aria-labelledby={`tab-${current.id}`} className="space-y-4 p-4">
          {current.groups.map((g) => (
            <fieldset key={g.label} className="rounded border border-slate-200 p-3">
              <legend className="px-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{g.label}</legend>
              <div className="grid grid-cols-2 gap-3">
                {g.fields.map((f) => (
                  <FieldInput
                    key={f.path}
                    field={f}
                    value={draft[f.path]}
                    error={errorOf(f.path)}
                    disabled={!canEdit || submit.isPending || inFlight}
                    onChange={(value) => {
                      setDraft({ ...draft, [f.path]: value });
                      setErrors(errors.filter((e) => e.path !== f.path));
                    }}
                  />
                ))}
              </div>
            </fieldset>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 bg-slate-50 px-4 py-2">
          {canEdit ? (
            <>
              <Button type="submit" variant="primary" size="sm" disabled={!dirty || submit.isPending || inFlight}>
                Apply
              </Button>
              <Button size="sm" disabled={!dirty || submit.isPending || inFlight} onClick={reload}>
                Cancel
              </Button>
              {!inFlight && base.serial !== view.serial && (
                <span className="text-xs text-amber-800">
                  Editing from serial {serialName(base.serial)}; serial {view.serialName} is now current.{' '}
                  <button type="button" className="underline" onClick={reload}>
                    Discard and reload
                  </button>
                </span>
              )}
            </>
          ) : (
            <span className="text-xs text-slate-500">Your security role can view the site settings but not change them.</span>
          )}
          {pendingId !== null && <ChangeProgress id={pendingId} onSettled={onSettled} />}
        </div>
        {failure && (
          <div role="alert" className="border-t border-red-200 bg-red-50 px-4 py-2 text-sm text-red-800">
            {failure.message}
            {failure.conflicts.length > 0 && <ConflictList conflicts={failure.conflicts} />}
          </div>
        )}
      </form>
      <RecentChanges changes={view.recentChanges} />
    </div>
  );
}

export function SiteSettingsSheets({ canEdit }: { canEdit: boolean }) {
  return (
    <SiteControlLiveProvider>
      <SiteSettingsSheetsBody canEdit={canEdit} />
    </SiteControlLiveProvider>
  );
}
