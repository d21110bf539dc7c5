'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { api, ApiError } from '@/lib/client/api';
import type { DeploymentRow } from '@/lib/deployments/deployment.schema';
import { deploymentsKey, useCollectionChoicesQuery, usePackagesQuery } from './use-deployments-query';

export const inputClass =
  'mt-1 block w-full rounded border border-slate-300 px-2 py-1.5 text-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600 aria-[invalid=true]:border-red-600';

/** A datetime-local value (the browser's local time) as an ISO instant, or null when empty. */
const toIso = (value: FormDataEntryValue | null) => (value ? new Date(String(value)).toISOString() : null);

function localInputValue(date: Date) {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** The name, comment and schedule fields both deployment forms send. */
function readScheduleFields(form: FormData) {
  return {
    name: String(form.get('name') ?? ''),
    comment: String(form.get('comment') ?? ''),
    availableAt: toIso(form.get('availableAt')) ?? undefined,
    mandatoryAt: toIso(form.get('mandatoryAt')),
    expiresAt: toIso(form.get('expiresAt')),
  };
}

/** The API paths each form shows beside a field; others show with the form's alert. */
const schedulePaths = ['name', 'comment', 'availableAt', 'mandatoryAt', 'expiresAt'];
const createPaths = [...schedulePaths, 'programId', 'collectionId'];

/** Available, mandatory and expiration times, with the server's message under each. */
function ScheduleFields({ error, values }: { error: ApiError | null; values: { availableAt: string; mandatoryAt: string; expiresAt: string } }) {
  const fields = [
    ['availableAt', 'Available from', 'Available time'],
    ['mandatoryAt', 'Mandatory at (optional)', 'Mandatory time'],
    ['expiresAt', 'Expires at (optional)', 'Expiration'],
  ] as const;
  return fields.map(([name, label, field]) => (
    <FormField key={name} label={label} errorName={field} error={error?.fieldMessage(name)} path={name}>
      {(control) => <input {...control} name={name} type="datetime-local" className={inputClass} defaultValue={values[name]} />}
    </FormField>
  ));
}

/** New deployment: a program, the collection it goes to, and when it is available, mandatory and expires. */
export function DeploymentForm({ onCreated, onCancel }: { onCreated: (id: number) => void; onCancel: () => void }) {
  const queryClient = useQueryClient();
  const packages = usePackagesQuery();
  const collections = useCollectionChoicesQuery();
  const [error, setError] = useState<ApiError | null>(null);
  const [now] = useState(() => new Date());
  const create = useMutation({
    mutationFn: (body: unknown) => api<{ id: number; deploymentId: string }>('/api/deployments', { method: 'POST', body }),
    onSuccess: (result) => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: deploymentsKey });
      onCreated(result.id);
    },
    onError: (e) => setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', 'The deployment could not be created.')),
  });
  const programs = (packages.data?.rows ?? []).flatMap((p) =>
    p.programs.map((g) => ({ id: g.id, label: `${p.name}${p.version ? ` ${p.version}` : ''} — ${g.name}` })),
  );

  return (
    <form
      aria-label="New deployment"
      noValidate
      className="grid grid-cols-3 gap-3 rounded border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        create.mutate({
          ...readScheduleFields(form),
          programId: Number(form.get('programId')) || undefined,
          collectionId: Number(form.get('collectionId')) || undefined,
        });
      }}
    >
      <FormField label="Name" error={error?.fieldMessage('name')} path="name">
        {(control) => <input {...control} name="name" className={inputClass} />}
      </FormField>
      <FormField label="Program" errorName="Program:" error={error?.fieldMessage('programId')} path="programId">
        {(control) => (
          <select {...control} name="programId" className={inputClass} defaultValue="">
            <option value="">Choose a program…</option>
            {programs.map((p) => <option key={p.id} value={p.id}>{p.label}</option>)}
          </select>
        )}
      </FormField>
      <FormField label="Collection" errorName="Collection:" error={error?.fieldMessage('collectionId')} path="collectionId">
        {(control) => (
          <select {...control} name="collectionId" className={inputClass} defaultValue="">
            <option value="">Choose a collection…</option>
            {(collections.data?.rows ?? []).map((c) => <option key={c.id} value={c.id}>{c.name} ({c.memberCount})</option>)}
          </select>
        )}
      </FormField>
      <ScheduleFields error={error} values={{ availableAt: localInputValue(now), mandatoryAt: '', expiresAt: '' }} />
      <FormField label="Comment" error={error?.fieldMessage('comment')} path="comment" className="col-span-3">
        {(control) => <input {...control} name="comment" className={inputClass} />}
      </FormField>
      <div className="col-span-3 flex items-center gap-2">
        <button type="submit" disabled={create.isPending} className="rounded bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">
          Create deployment
        </button>
        <button type="button" onClick={onCancel} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50">Cancel</button>
        <FormAlert error={error} shownAt={(path) => createPaths.includes(path)} />
        {!programs.length && packages.data && <p className="text-sm text-slate-500">No programs yet: add a package with a program under Assets › Packages.</p>}
      </div>
    </form>
  );
}

/** Change a live deployment's name, comment and times (e.g. extend its expiration). */
export function ScheduleForm({ deployment, onDone }: { deployment: DeploymentRow; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const save = useMutation({
    mutationFn: (body: unknown) => api(`/api/deployments/${deployment.id}`, { method: 'PATCH', body }),
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: deploymentsKey });
      onDone();
    },
    onError: (e) => setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', 'The change failed.')),
  });
  const local = (iso: string | null) => (iso ? localInputValue(new Date(iso)) : '');
  return (
    <form
      aria-label="Change schedule"
      noValidate
      className="grid grid-cols-3 gap-3 rounded border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        save.mutate(readScheduleFields(form));
      }}
    >
      <FormField label="Name" error={error?.fieldMessage('name')} path="name">
        {(control) => <input {...control} name="name" defaultValue={deployment.name} className={inputClass} />}
      </FormField>
      <FormField label="Comment" error={error?.fieldMessage('comment')} path="comment" className="col-span-2">
        {(control) => <input {...control} name="comment" defaultValue={deployment.comment} className={inputClass} />}
      </FormField>
      <ScheduleFields error={error} values={{ availableAt: local(deployment.availableAt), mandatoryAt: local(deployment.mandatoryAt), expiresAt: local(deployment.expiresAt) }} />
      <div className="col-span-3 flex items-center gap-2">
        <button type="submit" disabled={save.isPending} className="rounded bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">Save schedule</button>
        <button type="button" onClick={onDone} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50">Cancel</button>
        <FormAlert error={error} shownAt={(path) => schedulePaths.includes(path)} />
      </div>
    </form>
  );
}
