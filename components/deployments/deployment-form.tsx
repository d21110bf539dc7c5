'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { api, ApiError } from '@/lib/client/api';
import type { DeploymentRow } from '@/lib/deployments/deployment.schema';
import { deploymentsKey, useCollectionChoicesQuery, usePackagesQuery } from './use-deployments-query';

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
      {(control) => (
        <Input {...control} name={name} type="datetime-local" controlSize="md" className="mt-1 block w-full" defaultValue={values[name]} />
      )}
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
        {(control) => <Input {...control} name="name" controlSize="md" className="mt-1 block w-full" />}
      </FormField>
      <FormField label="Program" errorName="Program:" error={error?.fieldMessage('programId')} path="programId">
        {(control) => (
          <Select {...control} name="programId" controlSize="md" className="mt-1 block w-full" defaultValue="">
            <option value="">Choose a program…</option>
            {programs.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </Select>
        )}
      </FormField>
      <FormField label="Collection" errorName="Collection:" error={error?.fieldMessage('collectionId')} path="collectionId">
        {(control) => (
          <Select {...control} name="collectionId" controlSize="md" className="mt-1 block w-full" defaultValue="">
            <option value="">Choose a collection…</option>
            {(collections.data?.rows ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.memberCount})
              </option>
            ))}
          </Select>
        )}
      </FormField>
      <ScheduleFields error={error} values={{ availableAt: localInputValue(now), mandatoryAt: '', expiresAt: '' }} />
      <FormField label="Comment" error={error?.fieldMessage('comment')} path="comment" className="col-span-3">
        {(control) => <Input {...control} name="comment" controlSize="md" className="mt-1 block w-full" />}
      </FormField>
      <div className="col-span-3 flex items-center gap-2">
        <Button type="submit" disabled={create.isPending} variant="primary">
          Create deployment
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
        <FormAlert error={error} shownAt={(path) => createPaths.includes(path)} />
        {!programs.length && packages.data && (
          <p className="text-sm text-slate-500">No programs yet: add a package with a program under Assets › Packages.</p>
        )}
      </div>
    </form>
  );
}

/** Change a live deployment's name, comment and times (e.g. extend its expiration). */
export function ScheduleForm({ deployment, onDone }: { deployment: DeploymentRow; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  // The version the form was opened on: a change made meanwhile by someone else is not overwritten.
  const [baseUpdatedAt] = useState(deployment.updatedAt);
  const save = useMutation({
    mutationFn: (body: object) => api(`/api/deployments/${deployment.id}`, { method: 'PATCH', body: { ...body, baseUpdatedAt } }),
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
        {(control) => <Input {...control} name="name" defaultValue={deployment.name} controlSize="md" className="mt-1 block w-full" />}
      </FormField>
      <FormField label="Comment" error={error?.fieldMessage('comment')} path="comment" className="col-span-2">
        {(control) => <Input {...control} name="comment" defaultValue={deployment.comment} controlSize="md" className="mt-1 block w-full" />}
      </FormField>
      <ScheduleFields
        error={error}
        values={{ availableAt: local(deployment.availableAt), mandatoryAt: local(deployment.mandatoryAt), expiresAt: local(deployment.expiresAt) }}
      />
      <div className="col-span-3 flex items-center gap-2">
        <Button type="submit" disabled={save.isPending} variant="primary">
          Save schedule
        </Button>
        <Button onClick={onDone}>Cancel</Button>
        <FormAlert error={error} shownAt={(path) => schedulePaths.includes(path)} />
      </div>
    </form>
  );
}
