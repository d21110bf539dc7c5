'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormField, type FieldControlProps } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { api, ApiError, type FieldError } from '@/lib/client/api';
import { plural } from '@/lib/plural';
import type { ComponentThreshold } from '@/lib/summarizers/evaluate-thresholds';
import {
  displayIntervalLabels,
  displayIntervalSchema,
  summarizerSettingsInputSchema,
  thresholdOverrideInputSchema,
  type DisplayInterval,
} from '@/lib/summarizers/summarizer.schema';
import { summaryKeys } from './use-summaries';

const severityLabels = { INFORMATIONAL: 'Informational', WARNING: 'Warning', ERROR: 'Error' } as const;

type Threshold = ComponentThreshold & { id: number; updatedAt: string };
interface Settings {
  site: { code: string; name: string; timeZone: string };
  sites: { code: string; name: string }[];
  displayInterval: DisplayInterval;
  since: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
  siteWideThresholds: Threshold[];
  overrides: Threshold[];
  storage: { freeSpaceWarningMb: number; freeSpaceCriticalMb: number; pollingMinutes: number };
}

const issuesOf = (error: { issues: { path: PropertyKey[]; message: string }[] }): FieldError[] =>
  error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

function Field({
  path,
  label,
  errors,
  children,
}: {
  path: string;
  label: string;
  errors: FieldError[];
  children: (control: FieldControlProps) => React.ReactNode;
}) {
  return (
    <FormField label={label} error={errors.find((e) => e.path === path)?.message} path={path}>
      {children}
    </FormField>
  );
}

/**
 * The Status Summarizers page: the site's display interval, the site-wide thresholds (kept in
 * Site Settings), threshold overrides per component and message ID, and the storage thresholds.
 * Changes apply to the next view request — nothing restarts.
 */
export function StatusSummarizersAdmin({ canEdit }: { canEdit: boolean }) {
  const [site, setSite] = useState<string | undefined>(undefined);
  const settings = useQuery({
    queryKey: summaryKeys.settings(site),
    queryFn: ({ signal }) => api<Settings>(`/api/summarizers/settings${site ? `?site=${site}` : ''}`, { signal }),
  });
  const data = settings.data;
  if (settings.error)
    return (
      <p role="alert" className="text-sm text-red-700">
        {settings.error instanceof ApiError ? settings.error.message : 'Could not load the settings.'}
      </p>
    );
  if (!data) return <p className="text-sm text-slate-500">Loading…</p>;
  return (
    <div className="max-w-5xl space-y-6">
      {data.sites.length > 1 && (
        <label className="block w-60 text-xs font-medium text-slate-600">
          Site
          <Select className="mt-0.5 block w-full" value={data.site.code} onChange={(e) => setSite(e.target.value)}>
            {data.sites.map((s) => (
              <option key={s.code} value={s.code}>
                {s.code} — {s.name}
              </option>
            ))}
          </Select>
        </label>
      )}
      <DisplayIntervalForm settings={data} canEdit={canEdit} />
      <section className="space-y-2">
        <h2 className="text-sm font-semibold text-slate-900">Component Status Summarizer thresholds</h2>
        <p className="text-xs text-slate-600">
          Messages of a severity within the display interval turn a component Warning or Critical when their count reaches the threshold. The
          site-wide thresholds are site settings:{' '}
          <Link className="text-blue-700 hover:underline" href="/administration/site-settings">
            change them in Site Settings
          </Link>
          .
        </p>
        <table className="w-full max-w-xl text-sm" aria-label="Site-wide thresholds">
          <thead className="text-left text-xs text-slate-600">
            <tr>
              <th>Severity</th>
              <th>Warning at</th>
              <th>Critical at</th>
            </tr>
          </thead>
          <tbody>
            {data.siteWideThresholds.map((t) => (
              <tr key={t.id} className="border-t border-slate-100">
                <td>{severityLabels[t.severity]}</td>
                <td>{t.warningAt.toLocaleString()}</td>
                <td>{t.criticalAt.toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <Overrides settings={data} canEdit={canEdit} />
      <section className="space-y-1">
        <h2 className="text-sm font-semibold text-slate-900">Site System Status Summarizer</h2>
        <p className="text-xs text-slate-600">
          A storage object turns Warning under {data.storage.freeSpaceWarningMb.toLocaleString()} MB free and Critical under{' '}
          {data.storage.freeSpaceCriticalMb.toLocaleString()} MB; a site system that has not reported for{' '}
          {plural(data.storage.pollingMinutes, 'minute')} turns Warning, for twice that Critical. These are site settings too (
          <Link className="text-blue-700 hover:underline" href="/administration/site-settings">
            Site Settings
          </Link>
          ).
        </p>
      </section>
    </div>
  );
}

function DisplayIntervalForm({ settings, canEdit }: { settings: Settings; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [interval, setDisplayInterval] = useState<DisplayInterval>(settings.displayInterval);
  const [since, setSince] = useState(settings.since ?? '');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setDisplayInterval(settings.displayInterval);
    setSince(settings.since ?? '');
  }, [settings.displayInterval, settings.since]);
  const save = useMutation({
    mutationFn: (body: unknown) => api<Settings>('/api/summarizers/settings', { method: 'PUT', body }),
    onSuccess: (next) => {
      queryClient.setQueryData(summaryKeys.settings(next.site.code), next);
      void queryClient.invalidateQueries({ queryKey: ['summarizerSettings'] });
      setSaved(true);
    },
    onError: (e) =>
      setErrors(
        e instanceof ApiError && e.fields.length
          ? e.fields
          : [{ path: 'displayInterval', message: e instanceof ApiError ? e.message : 'could not be saved' }],
      ),
  });
  return (
    <form
      aria-label="Display interval"
      noValidate
      className="space-y-3 rounded border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        setSaved(false);
        const parsed = summarizerSettingsInputSchema.safeParse({
          site: settings.site.code,
          displayInterval: interval,
          since: interval === 'SINCE_DATE' ? since || null : null,
        });
        if (!parsed.success) return setErrors(issuesOf(parsed.error));
        setErrors([]);
        save.mutate(parsed.data);
      }}
    >
      <h2 className="text-sm font-semibold text-slate-900">Display interval</h2>
      <p className="text-xs text-slate-600">
        The interval the status views count messages in, by the clock of site {settings.site.code} ({settings.site.timeZone}). A view can show another
        one without changing this.
      </p>
      <div className="grid max-w-xl grid-cols-2 gap-3">
        <Field path="displayInterval" label="Count messages" errors={errors}>
          {(p) => (
            <Select
              {...p}
              className="mt-0.5 block w-full"
              value={interval}
              disabled={!canEdit}
              onChange={(e) => setDisplayInterval(e.target.value as DisplayInterval)}
            >
              {displayIntervalSchema.options.map((k) => (
                <option key={k} value={k}>
                  {displayIntervalLabels[k]}
                </option>
              ))}
            </Select>
          )}
        </Field>
        {interval === 'SINCE_DATE' && (
          <Field path="since" label="Since" errors={errors}>
            {(p) => (
              <Input
                {...p}
                type="datetime-local"
                step={3600}
                className="mt-0.5 block w-full"
                value={since}
                disabled={!canEdit}
                onChange={(e) => setSince(e.target.value)}
              />
            )}
          </Field>
        )}
      </div>
      {canEdit && (
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" size="sm" disabled={save.isPending}>
            Save
          </Button>
          {saved && (
            <span className="text-xs text-emerald-700" role="status">
              Saved; the views use it now.
            </span>
          )}
          {settings.updatedBy && <span className="text-xs text-slate-500">Last changed by {settings.updatedBy}</span>}
        </div>
      )}
    </form>
  );
}

interface Draft {
  siteCode: string;
  component: string;
  messageId: string;
  severity: string;
  warningAt: string;
  criticalAt: string;
}
const emptyDraft: Draft = { siteCode: '', component: '', messageId: '', severity: 'ERROR', warningAt: '', criticalAt: '' };
const draftOf = (t: Threshold): Draft => ({
  siteCode: t.siteCode ?? '',
  component: t.component ?? '',
  messageId: t.messageId?.toString() ?? '',
  severity: t.severity,
  warningAt: String(t.warningAt),
  criticalAt: String(t.criticalAt),
});

/** An override in words, for the question before it is deleted. */
const describeOverride = (t: Threshold) =>
  `${t.component ?? 'any component'}${t.messageId !== null ? `, message ${t.messageId}` : ''}, ${severityLabels[t.severity]}${t.siteCode ? ` at site ${t.siteCode}` : ''}`;

function Overrides({ settings, canEdit }: { settings: Settings; canEdit: boolean }) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (id: number) => api(`/api/summarizers/thresholds/${id}`, { method: 'DELETE' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['summarizerSettings'] }),
  });
  return (
    <section className="space-y-2">
      <div className="flex items-center justify-between">
        <h2 className="text-sm font-semibold text-slate-900">Threshold overrides</h2>
        {canEdit && editing === null && (
          <Button size="xs" onClick={() => setEditing('new')}>
            New override
          </Button>
        )}
      </div>
      <p className="text-xs text-slate-600">
        For one component (of every site or of one), or for one message ID: messages of an overridden message ID are judged by the override alone, the
        rest of their severity by the severity&apos;s threshold.
      </p>
      {editing === 'new' && <OverrideForm threshold={null} onDone={() => setEditing(null)} />}
      {remove.error && (
        <p role="alert" className="text-xs text-red-700">
          The override could not be deleted: {remove.error.message}
        </p>
      )}
      <table className="w-full text-sm" aria-label="Threshold overrides">
        <thead className="text-left text-xs text-slate-600">
          <tr>
            <th>Site</th>
            <th>Component</th>
            <th>Message ID</th>
            <th>Severity</th>
            <th>Warning at</th>
            <th>Critical at</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {!settings.overrides.length && (
            <tr>
              <td colSpan={7} className="py-2 text-xs text-slate-500">
                No overrides: the site-wide thresholds apply to every component.
              </td>
            </tr>
          )}
          {settings.overrides.map((t) =>
            editing === t.id ? (
              <tr key={t.id}>
                <td colSpan={7}>
                  <OverrideForm threshold={t} onDone={() => setEditing(null)} />
                </td>
              </tr>
            ) : (
              <tr key={t.id} className="border-t border-slate-100" data-threshold={t.id}>
                <td>{t.siteCode ?? 'All'}</td>
                <td>{t.component ?? 'Any'}</td>
                <td>{t.messageId ?? 'Any'}</td>
                <td>{severityLabels[t.severity]}</td>
                <td>{t.warningAt.toLocaleString()}</td>
                <td>{t.criticalAt.toLocaleString()}</td>
                <td className="space-x-1 text-right">
                  {canEdit && (
                    <>
                      <Button size="xs" onClick={() => setEditing(t.id)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        disabled={remove.isPending}
                        onClick={() => {
                          if (window.confirm(`Delete the threshold override for ${describeOverride(t)}?`)) remove.mutate(t.id);
                        }}
                      >
                        Delete
                      </Button>
                    </>
                  )}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </section>
  );
}

function OverrideForm({ threshold, onDone }: { threshold: Threshold | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(threshold ? draftOf(threshold) : emptyDraft);
  // The version the form was opened on, kept as the list refreshes under it.
  const [baseUpdatedAt] = useState(threshold?.updatedAt);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: unknown) =>
      threshold
        ? api(`/api/summarizers/thresholds/${threshold.id}`, { method: 'PUT', body })
        : api('/api/summarizers/thresholds', { method: 'POST', body }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['summarizerSettings'] });
      onDone();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.fields.length) setErrors(e.fields);
      setFailure(e instanceof ApiError ? e.message : 'Saving failed.');
    },
  });
  const set = (key: keyof Draft) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  return (
    <form
      aria-label={threshold ? 'Edit threshold override' : 'New threshold override'}
      noValidate
      className="space-y-3 rounded border border-blue-200 bg-white p-3"
      onSubmit={(e) => {
        e.preventDefault();
        setFailure(null);
        const parsed = thresholdOverrideInputSchema.safeParse({
          siteCode: draft.siteCode.trim().toUpperCase() || null,
          component: draft.component,
          messageId: draft.messageId.trim() === '' ? null : draft.messageId,
          severity: draft.severity,
          warningAt: draft.warningAt,
          criticalAt: draft.criticalAt,
        });
        if (!parsed.success) {
          setErrors(issuesOf(parsed.error));
          return setFailure('Some fields need attention.');
        }
        setErrors([]);
        // An edit names the version it was opened on: one made before someone else's is refused (409), keeping what was typed.
        save.mutate(threshold ? { ...parsed.data, baseUpdatedAt } : parsed.data);
      }}
    >
      <div className="grid grid-cols-6 gap-2">
        <Field path="siteCode" label="Site code" errors={errors}>
          {(p) => <Input {...p} className="mt-0.5 block w-full" value={draft.siteCode} onChange={set('siteCode')} placeholder="All" />}
        </Field>
        <Field path="component" label="Component" errors={errors}>
          {(p) => <Input {...p} className="mt-0.5 block w-full" value={draft.component} onChange={set('component')} placeholder="Any" />}
        </Field>
        <Field path="messageId" label="Message ID" errors={errors}>
          {(p) => (
            <Input {...p} className="mt-0.5 block w-full" value={draft.messageId} onChange={set('messageId')} inputMode="numeric" placeholder="Any" />
          )}
        </Field>
        <Field path="severity" label="Severity" errors={errors}>
          {(p) => (
            <Select {...p} className="mt-0.5 block w-full" value={draft.severity} onChange={set('severity')}>
              {Object.entries(severityLabels).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field path="warningAt" label="Warning at" errors={errors}>
          {(p) => <Input {...p} className="mt-0.5 block w-full" value={draft.warningAt} onChange={set('warningAt')} inputMode="numeric" />}
        </Field>
        <Field path="criticalAt" label="Critical at" errors={errors}>
          {(p) => <Input {...p} className="mt-0.5 block w-full" value={draft.criticalAt} onChange={set('criticalAt')} inputMode="numeric" />}
        </Field>
      </div>
      <div className="flex items-center gap-2">
        <Button type="submit" variant="primary" size="sm" disabled={save.isPending}>
          Save
        </Button>
        <Button size="xs" onClick={onDone}>
          Cancel
        </Button>
        {failure && (
          <span role="alert" className="text-xs text-red-700">
            {failure}
          </span>
        )}
      </div>
    </form>
  );
}
