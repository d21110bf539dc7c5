'use client';

import { useEffect, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import type { FieldError } from '@/lib/client/api';
import { statusMessageFiltersSchema } from '@/lib/status-viewer/status-message-filters.schema';
import { isTimeRange, timeRanges, type TimeRange } from './status-message-search';

const severities = [
  ['INFORMATIONAL', 'Informational'],
  ['WARNING', 'Warning'],
  ['ERROR', 'Error'],
] as const;

interface Draft {
  range: '' | TimeRange | 'custom';
  from: string;
  to: string;
  severity: string[];
  type: string;
  source: string;
  site: string;
  system: string;
  component: string;
  messageId: string;
  propertyName: string;
  propertyValue: string;
}

const textFields = ['site', 'system', 'component', 'messageId', 'propertyName', 'propertyValue', 'type', 'source'] as const;

/** `datetime-local` wants local time without a zone. */
export function toLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function draftFrom(url: URLSearchParams): Draft {
  const range = url.get('range');
  const custom = url.has('from') || url.has('to');
  return {
    range: isTimeRange(range) ? range : custom ? 'custom' : '',
    from: toLocalInput(url.get('from')),
    to: toLocalInput(url.get('to')),
    severity: (url.get('severity') ?? '').split(',').filter(Boolean),
    type: url.get('type') ?? '',
    source: url.get('source') ?? '',
    site: url.get('site') ?? '',
    system: url.get('system') ?? '',
    component: url.get('component') ?? '',
    messageId: url.get('messageId') ?? '',
    propertyName: url.get('propertyName') ?? '',
    propertyValue: url.get('propertyValue') ?? '',
  };
}

/** The draft as URL parameters (only what is set). */
function draftParams(d: Draft): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.range === 'custom') {
    if (d.from) out.from = new Date(d.from).toISOString();
    if (d.to) out.to = new Date(d.to).toISOString();
  } else if (d.range) {
    out.range = d.range;
  }
  if (d.severity.length) out.severity = d.severity.join(',');
  for (const key of textFields) if (d[key].trim()) out[key] = d[key].trim();
  return out;
}

const filterKeys = ['range', 'from', 'to', 'severity', ...textFields];

/**
 * The viewer's filters: time range, severity, type, source, site, system, component, message
 * ID and property value. Checked in the browser with the API's own schema before it is applied;
 * messages the server returns (`serverFields`) show under their fields too.
 */
export function StatusMessageFilterForm({
  url,
  serverFields,
  onApply,
}: {
  url: URLSearchParams;
  serverFields: FieldError[];
  onApply: (params: Record<string, string>, keys: string[]) => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftFrom(url));
  const [errors, setErrors] = useState<FieldError[]>([]);
  // What this form last applied: when the URL arrives at it, the draft (perhaps edited since) stays.
  const applied = useRef<string | null>(null);
  const urlText = url.toString();
  useEffect(() => {
    const fromUrl = draftFrom(new URLSearchParams(urlText));
    if (JSON.stringify(draftParams(fromUrl)) !== applied.current) setDraft(fromUrl);
    applied.current = null;
  }, [urlText]);
  const apply = (next: Draft) => {
    const params = draftParams(next);
    applied.current = JSON.stringify(params);
    onApply(params, filterKeys);
  };

  const messageFor = (field: string) => errors.find((e) => e.path === field)?.message ?? serverFields.find((e) => e.path === field)?.message;
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const text = (key: (typeof textFields)[number], label: string, placeholder = '', wide = false) => (
    <FormField label={label} error={messageFor(key)} path={key} className={wide ? 'col-span-2' : undefined}>
      {(props) => (
        <Input
          {...props}
          name={key}
          value={draft[key]}
          placeholder={placeholder}
          onChange={(e) => set(key, e.target.value)}
          className="mt-0.5 block w-full"
        />
      )}
    </FormField>
  );

  const choice = (key: 'type' | 'source', label: string, options: [string, string][]) => (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <Select value={draft[key]} onChange={(e) => set(key, e.target.value)} className="mt-0.5 block w-full">
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </Select>
    </label>
  );

  return (
    <form
      aria-label="Filters"
      className="grid grid-cols-[repeat(8,minmax(0,1fr))] items-start gap-x-3 gap-y-2 rounded border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        const params = draftParams(draft);
        const found: FieldError[] = [];
        if (draft.range === 'custom' && !draft.from && !draft.to) found.push({ path: 'from', message: 'or To is required for a custom range' });
        const checked = statusMessageFiltersSchema.safeParse(params);
        if (!checked.success) for (const issue of checked.error.issues) found.push({ path: issue.path.join('.'), message: issue.message });
        setErrors(found);
        if (!found.length) apply(draft);
      }}
    >
      <label className="col-span-2 text-xs font-medium text-slate-600">
        Time range
        <Select value={draft.range} onChange={(e) => set('range', e.target.value as Draft['range'])} className="mt-0.5 block w-full">
          <option value="">Any time</option>
          {Object.entries(timeRanges).map(([key, r]) => (
            <option key={key} value={key}>
              {r.label}
            </option>
          ))}
          <option value="custom">Between…</option>
        </Select>
      </label>
      {draft.range === 'custom' ? (
        <>
          {(['from', 'to'] as const).map((key) => (
            <FormField key={key} label={key === 'from' ? 'From' : 'To'} error={messageFor(key)} path={key}>
              {(props) => (
                <Input
                  {...props}
                  type="datetime-local"
                  value={draft[key]}
                  onChange={(e) => set(key, e.target.value)}
                  className="mt-0.5 block w-full"
                />
              )}
            </FormField>
          ))}
        </>
      ) : (
        <div className="col-span-2" />
      )}
      <fieldset className="col-span-2 text-xs font-medium text-slate-600">
        <legend>Severity</legend>
        <div className="mt-1 flex flex-wrap gap-x-2">
          {severities.map(([value, label]) => (
            <label key={value} className="inline-flex items-center gap-1 font-normal text-slate-700">
              <input
                type="checkbox"
                checked={draft.severity.includes(value)}
                onChange={(e) => set('severity', e.target.checked ? [...draft.severity, value] : draft.severity.filter((s) => s !== value))}
              />
              {label}
            </label>
          ))}
        </div>
      </fieldset>
      {choice('type', 'Type', [
        ['', 'Any type'],
        ['MILESTONE', 'Milestone'],
        ['DETAIL', 'Detail'],
        ['AUDIT', 'Audit'],
      ])}
      {choice('source', 'Source', [
        ['', 'Any source'],
        ['CLIENT', 'Client'],
        ['SERVER', 'Server'],
        ['PROVIDER', 'Provider'],
      ])}
      {text('site', 'Site code', 'S01')}
      {text('system', 'System')}
      {text('component', 'Component', '', true)}
      {text('messageId', 'Message ID')}
      {text('propertyName', 'Property', 'AdvertisementID')}
      {text('propertyValue', 'Property value', '', true)}
      <div className="col-span-8 flex items-center gap-2">
        <Button type="submit" variant="primary" size="sm">
          Apply filters
        </Button>
        <Button
          size="xs"
          onClick={() => {
            const empty = draftFrom(new URLSearchParams());
            setErrors([]);
            setDraft(empty);
            apply(empty);
          }}
        >
          Clear
        </Button>
        {errors.length > 0 && (
          <span role="alert" className="text-xs text-red-700">
            Some filters are not valid.
          </span>
        )}
      </div>
    </form>
  );
}
