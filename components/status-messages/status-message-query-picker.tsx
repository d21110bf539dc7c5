'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { api, ApiError, type FieldError } from '@/lib/client/api';
import { statusMessageFilterFields, type StatusMessageFilterField } from '@/lib/status-viewer/status-message-filters.schema';
import { savedQueryInputSchema, type QueryCriteria, type StatusMessageQueryView } from '@/lib/status-viewer/status-query.schema';
import { toLocalInput } from './status-message-filter-form';
import { statusMessageQueriesKey } from './use-status-messages';

export const filterLabels: Record<StatusMessageFilterField, string> = {
  range: 'Time range (1h, 24h, 7d or 30d)',
  from: 'Received from',
  to: 'Received before',
  severity: 'Severity',
  type: 'Type',
  source: 'Source',
  component: 'Component',
  system: 'System',
  site: 'Site code',
  messageId: 'Message ID',
  propertyName: 'Property',
  propertyValue: 'Property value',
};

const promptInputType = (field: StatusMessageFilterField) => (field === 'from' || field === 'to' ? 'datetime-local' : 'text');

/** Prompted dates are asked in local time and sent as ISO. */
const promptValue = (field: StatusMessageFilterField, value: string) =>
  promptInputType(field) === 'datetime-local' && value ? new Date(value).toISOString() : value.trim();

/** An administrator saves the filters in force as a query, choosing which of them are asked for when it runs. */
function SaveQueryForm({
  current,
  onSaved,
  onCancel,
}: {
  current: [StatusMessageFilterField, string][];
  onSaved: (id: string) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [prompted, setPrompted] = useState<Set<string>>(new Set());
  const [error, setError] = useState<ApiError | null>(null);
  const formId = useId();
  const save = useMutation({
    mutationFn: (body: { name: string; description: string; criteria: QueryCriteria }) =>
      api<StatusMessageQueryView>('/api/status-message-queries', { method: 'POST', body }),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: statusMessageQueriesKey });
      onSaved(saved.id);
    },
    onError: (e) => setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', 'Saving failed.')),
  });
  return (
    <form
      aria-label="Save as query"
      className="space-y-2 rounded border border-blue-200 bg-blue-50/40 p-3 text-sm"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onCancel();
      }}
      onSubmit={(e) => {
        e.preventDefault();
        const criteria: QueryCriteria = {};
        for (const [field, value] of current) criteria[field] = prompted.has(field) ? { prompt: filterLabels[field] } : value;
        const checked = savedQueryInputSchema.safeParse({ name, description, criteria });
        if (!checked.success) {
          const fields = checked.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
          return setError(new ApiError(400, 'BAD_REQUEST', 'The query is not valid.', fields));
        }
        save.mutate({ name, description, criteria });
      }}
    >
      <div className="grid grid-cols-2 gap-3">
        <FormField label="Query name" error={error?.fieldMessage('name')} path="name">
          {(props) => <Input {...props} autoFocus value={name} onChange={(e) => setName(e.target.value)} className="mt-0.5 block w-full" />}
        </FormField>
        <FormField label="Description" error={error?.fieldMessage('description')} path="description">
          {(props) => <Input {...props} value={description} onChange={(e) => setDescription(e.target.value)} className="mt-0.5 block w-full" />}
        </FormField>
      </div>
      {current.length ? (
        <fieldset>
          <legend className="text-xs font-medium text-slate-600">Criteria (tick those to ask for each time the query runs)</legend>
          <ul className="mt-1 space-y-0.5">
            {current.map(([field, value]) => {
              const message = error?.fieldMessage(`criteria.${field}`);
              const errorId = `${formId}-criteria-${field}-error`;
              return (
                <li key={field}>
                  <label className="inline-flex items-center gap-2">
                    <input
                      type="checkbox"
                      checked={prompted.has(field)}
                      aria-invalid={message ? true : undefined}
                      aria-describedby={message ? errorId : undefined}
                      onChange={(e) => {
                        const next = new Set(prompted);
                        if (e.target.checked) next.add(field);
                        else next.delete(field);
                        setPrompted(next);
                      }}
                    />
                    <span>
                      {filterLabels[field]}: <span className="font-mono text-xs">{value}</span>
                      {prompted.has(field) && ' (asked when run)'}
                    </span>
                  </label>
                  {message && (
                    <span id={errorId} role="alert" className="ml-2 text-xs text-red-700">
                      {message}
                    </span>
                  )}
                </li>
              );
            })}
          </ul>
        </fieldset>
      ) : (
        <p className="text-xs text-slate-500">No filters are applied: the query will list every message.</p>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending} variant="primary" size="sm">
          Save query
        </Button>
        <Button size="xs" onClick={onCancel}>
          Cancel
        </Button>
        <FormAlert
          error={error}
          shownAt={(path) => path === 'name' || path === 'description' || current.some(([field]) => path === `criteria.${field}`)}
          className="text-xs text-red-700"
        />
      </div>
    </form>
  );
}

/**
 * Status Message Queries: pick a built-in or saved query, answer its prompts, run it. Full
 * administrators also save the filters in force as a query and delete saved ones.
 */
export function StatusMessageQueryPicker({
  url,
  queries,
  canEdit,
  serverFields,
  onRun,
}: {
  url: URLSearchParams;
  queries: StatusMessageQueryView[];
  canEdit: boolean;
  serverFields: FieldError[];
  onRun: (params: Record<string, string>, keys: string[]) => void;
}) {
  const queryClient = useQueryClient();
  const applied = url.get('query') ?? '';
  const [selected, setSelected] = useState(applied);
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  // Keyboard focus goes into the save form as it opens, and back to its button as it closes.
  const saveButton = useRef<HTMLButtonElement>(null);
  const [refocus, setRefocus] = useState(false);
  useEffect(() => {
    if (saving || !refocus) return;
    saveButton.current?.focus();
    setRefocus(false);
  }, [saving, refocus]);
  const [missing, setMissing] = useState<string[]>([]);
  const urlText = url.toString();
  useEffect(() => {
    const params = new URLSearchParams(urlText);
    setSelected(params.get('query') ?? '');
    const next: Record<string, string> = {};
    for (const [key, value] of params) {
      if (!key.startsWith('prompt.')) continue;
      const field = key.slice('prompt.'.length) as StatusMessageFilterField;
      next[field] = promptInputType(field) === 'datetime-local' ? toLocalInput(value) : value;
    }
    setAnswers(next);
  }, [urlText]);

  const query = queries.find((q) => q.id === selected);
  const promptKeys = queries.flatMap((q) => q.prompts.map((p) => `prompt.${p.field}`));
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/status-message-queries/${id}`, { method: 'DELETE' }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: statusMessageQueriesKey });
      onRun({}, ['query', ...promptKeys]);
    },
  });
  const current = statusMessageFilterFields
    .map((field) => [field, url.get(field)] as const)
    .filter((entry): entry is [StatusMessageFilterField, string] => Boolean(entry[1]));
  const fieldMessage = (field: string) =>
    (missing.includes(field) ? 'is required by this query' : undefined) ?? serverFields.find((f) => f.path === `prompt.${field}`)?.message;

  return (
    <div className="space-y-2">
      <form
        aria-label="Status message query"
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const unanswered = (query?.prompts ?? []).filter((p) => !answers[p.field]?.trim()).map((p) => p.field);
          setMissing(unanswered);
          if (unanswered.length) return;
          const params: Record<string, string> = {};
          if (selected) params.query = selected;
          for (const p of query?.prompts ?? []) params[`prompt.${p.field}`] = promptValue(p.field, answers[p.field] ?? '');
          // The query decides the fields it names: a filter of the list before on one of them would
          // narrow the query against itself (the system the query asks for, and another).
          const named = statusMessageFilterFields.filter((field) => Object.hasOwn(query?.criteria ?? {}, field));
          onRun(params, ['query', ...promptKeys, ...named]);
        }}
      >
        <label className="text-xs font-medium text-slate-600">
          Query
          <Select
            value={selected}
            onChange={(e) => {
              setSelected(e.target.value);
              setMissing([]);
            }}
            className="mt-0.5 w-96 block w-full"
          >
            <option value="">No query: the filters below</option>
            <optgroup label="Built-in queries">
              {queries
                .filter((q) => q.builtIn)
                .map((q) => (
                  <option key={q.id} value={q.id}>
                    {q.name}
                  </option>
                ))}
            </optgroup>
            {queries.some((q) => !q.builtIn) && (
              <optgroup label="Saved queries">
                {queries
                  .filter((q) => !q.builtIn)
                  .map((q) => (
                    <option key={q.id} value={q.id}>
                      {q.name}
                    </option>
                  ))}
              </optgroup>
            )}
          </Select>
        </label>
        {query?.prompts.map((p) => {
          const message = fieldMessage(p.field);
          return (
            <FormField key={p.field} label={p.label} error={message} path={`prompt.${p.field}`}>
              {(props) => (
                <Input
                  {...props}
                  name={`prompt.${p.field}`}
                  type={promptInputType(p.field)}
                  value={answers[p.field] ?? ''}
                  onChange={(e) => setAnswers({ ...answers, [p.field]: e.target.value })}
                  className="mt-0.5 w-48 block w-full"
                />
              )}
            </FormField>
          );
        })}
        <Button type="submit" variant="primary" size="sm">
          Run query
        </Button>
        {canEdit && !saving && (
          <Button ref={saveButton} size="xs" onClick={() => setSaving(true)}>
            Save filters as query…
          </Button>
        )}
        {canEdit && query && !query.builtIn && (
          <Button
            size="xs"
            disabled={remove.isPending}
            onClick={() => {
              if (window.confirm(`Delete the query "${query.name}"?`)) remove.mutate(query.id);
            }}
          >
            Delete query
          </Button>
        )}
      </form>
      {query?.description && <p className="text-xs text-slate-500">{query.description}</p>}
      {saving && (
        <SaveQueryForm
          current={current}
          onCancel={() => {
            setSaving(false);
            setRefocus(true);
          }}
          onSaved={(id) => {
            setSaving(false);
            setRefocus(true);
            setSelected(id);
          }}
        />
      )}
    </div>
  );
}
