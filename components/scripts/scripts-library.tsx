'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { controlClass, controlSizeClass, Input } from '@/components/ui/input';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { api, ApiError } from '@/lib/client/api';
import type { ScriptRow } from '@/lib/scripts/script.schema';
import { scriptsKey, useScriptsQuery } from './use-scripts-query';

const asApiError = (e: unknown, fallback: string) => (e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', fallback));
const shownFields = ['name', 'description', 'timeoutSeconds', 'body', 'parameters'];
/** Errors under parameters.N.… show beside the parameters box. */
const parametersError = (error: ApiError | null) => {
  const field = error?.fields.find((f) => f.path === 'parameters' || f.path.startsWith('parameters.'));
  return field ? `${field.path}: ${field.message}` : undefined;
};

const PARAMETERS_HINT = 'JSON list, e.g. [{"name":"Path","type":"string","required":true,"pattern":"/.*"}]; types string, integer, boolean, choice';

/** New or edited script: name, description, timeout, typed parameters and the bash text. */
function ScriptForm({ script, onDone }: { script?: ScriptRow; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const save = useMutation({
    mutationFn: (body: unknown) =>
      script ? api<ScriptRow>(`/api/scripts/${script.id}`, { method: 'PUT', body }) : api<ScriptRow>('/api/scripts', { method: 'POST', body }),
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: scriptsKey });
      onDone();
    },
    onError: (e) => setError(asApiError(e, 'The script could not be saved.')),
  });
  return (
    <form
      aria-label={script ? `Edit script ${script.name}` : 'New script'}
      noValidate
      className="grid grid-cols-4 gap-3 rounded border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        const f = new FormData(event.currentTarget);
        let parameters: unknown;
        try {
          parameters = JSON.parse(String(f.get('parameters') || '[]'));
        } catch {
          setError(new ApiError(400, 'BAD_REQUEST', 'Parameters are not valid JSON.', [{ path: 'parameters', message: 'is not valid JSON' }]));
          return;
        }
        const timeout = String(f.get('timeoutSeconds') ?? '');
        save.mutate({
          name: String(f.get('name') ?? ''),
          description: String(f.get('description') ?? ''),
          timeoutSeconds: timeout === '' ? Number.NaN : Number(timeout),
          body: String(f.get('body') ?? ''),
          parameters,
          // The version the form was opened on: a save made meanwhile by someone else is not overwritten.
          ...(script ? { baseUpdatedAt: script.updatedAt } : {}),
        });
      }}
    >
      <FormField label="Name" error={error?.fieldMessage('name')} path="name">
        {(control) => <Input {...control} name="name" controlSize="md" className="mt-1 block w-full" defaultValue={script?.name} />}
      </FormField>
      <FormField label="Description" error={error?.fieldMessage('description')} path="description" className="col-span-2">
        {(control) => <Input {...control} name="description" controlSize="md" className="mt-1 block w-full" defaultValue={script?.description} />}
      </FormField>
      <FormField label="Timeout (seconds)" errorName="Timeout" error={error?.fieldMessage('timeoutSeconds')} path="timeoutSeconds">
        {(control) => (
          <Input
            {...control}
            name="timeoutSeconds"
            type="number"
            controlSize="md"
            className="mt-1 block w-full"
            defaultValue={script?.timeoutSeconds ?? 300}
          />
        )}
      </FormField>
      <FormField label="Parameters" hint={PARAMETERS_HINT} error={parametersError(error)} errorName="" path="parameters" className="col-span-4">
        {(control) => (
          <textarea
            {...control}
            name="parameters"
            rows={3}
            className={`${controlClass} ${controlSizeClass('md')} mt-1 block w-full font-mono`}
            defaultValue={JSON.stringify(script?.parameters ?? [])}
          />
        )}
      </FormField>
      <FormField label="Script (bash)" errorName="Script" error={error?.fieldMessage('body')} path="body" className="col-span-4">
        {(control) => (
          <textarea
            {...control}
            name="body"
            rows={10}
            spellCheck={false}
            className={`${controlClass} ${controlSizeClass('md')} mt-1 block w-full font-mono`}
            defaultValue={script?.body ?? '#!/bin/bash\n'}
          />
        )}
      </FormField>
      <div className="col-span-4 flex items-end gap-2">
        <Button type="submit" disabled={save.isPending} variant="primary">
          {script ? 'Save script' : 'Create script'}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
        {script?.approval && <span className="text-xs text-amber-700">Saving withdraws the approval.</span>}
        <FormAlert error={error} shownAt={(path) => shownFields.includes(path) || path.startsWith('parameters.')} />
      </div>
    </form>
  );
}

/** Software Library › Scripts: bash scripts, their typed parameters, and who approved which text. */
export function ScriptsLibrary({ canEdit, canApprove, userId }: { canEdit: boolean; canApprove: boolean; userId: number }) {
  const scripts = useScriptsQuery();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<ScriptRow | 'new' | null>(null);
  const [shown, setShown] = useState<number | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: (a: { kind: 'approve' | 'delete'; script: ScriptRow }) =>
      a.kind === 'approve'
        ? api(`/api/scripts/${a.script.id}/approve`, {
            method: 'POST',
            body: { contentHash: a.script.contentHash, baseUpdatedAt: a.script.updatedAt },
          })
        : api(`/api/scripts/${a.script.id}`, { method: 'DELETE' }),
    onSuccess: () => {
      setActionError(null);
      void queryClient.invalidateQueries({ queryKey: scriptsKey });
    },
    onError: (e) => {
      setActionError(asApiError(e, 'The action failed.').message);
      // A script changed under the approver: show its current version to read again.
      void queryClient.invalidateQueries({ queryKey: scriptsKey });
    },
  });
  return (
    <div className="space-y-4">
      {canEdit && editing === null && (
        <Button onClick={() => setEditing('new')} variant="primary">
          New script
        </Button>
      )}
      {editing !== null && (
        <ScriptForm key={editing === 'new' ? 'new' : editing.id} script={editing === 'new' ? undefined : editing} onDone={() => setEditing(null)} />
      )}
      {(scripts.error || actionError) && (
        <p role="alert" className="text-sm text-red-700">
          {scripts.error?.message ?? actionError}
        </p>
      )}
      <Table>
        <caption className="sr-only">Scripts</caption>
        <THead>
          <tr>
            <Th>Name</Th>
            <Th>Approval</Th>
            <Th>Parameters</Th>
            <Th className="text-right">Timeout</Th>
            <Th>Content hash</Th>
            <Th>Last edited by</Th>
            <Th>Actions</Th>
          </tr>
        </THead>
        <TBody>
          {scripts.data?.rows.map((s) => (
            <tr key={s.id} className="align-top" data-script={s.name}>
              <Td>
                <button type="button" className="font-medium text-blue-700 hover:underline" onClick={() => setShown(shown === s.id ? null : s.id)}>
                  {s.name}
                </button>
                {s.description && <div className="text-xs text-slate-500">{s.description}</div>}
                {shown === s.id && <pre className="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-2 text-xs">{s.body}</pre>}
              </Td>
              <Td>
                {s.approval ? (
                  <span className="text-green-700">Approved by {s.approval.by}</span>
                ) : (
                  <span className="text-amber-700">Awaiting approval</span>
                )}
              </Td>
              <Td className="font-mono text-xs">{s.parameters.map((p) => `${p.name}: ${p.type}${p.required ? '' : '?'}`).join(', ') || '—'}</Td>
              <Td className="text-right tabular-nums">{s.timeoutSeconds} s</Td>
              <Td className="font-mono text-xs" title={s.contentHash}>
                {s.contentHash.slice(0, 12)}
              </Td>
              <Td>{s.updatedBy}</Td>
              <Td className="space-x-2 whitespace-nowrap">
                {canApprove && !s.approval && !s.authorIds.includes(userId) && (
                  <Button onClick={() => act.mutate({ kind: 'approve', script: s })} disabled={act.isPending}>
                    Approve
                  </Button>
                )}
                {canEdit && <Button onClick={() => setEditing(s)}>Edit</Button>}
                {canEdit && (
                  <Button
                    onClick={() => window.confirm(`Delete the script ${s.name}?`) && act.mutate({ kind: 'delete', script: s })}
                    disabled={act.isPending}
                  >
                    Delete
                  </Button>
                )}
              </Td>
            </tr>
          ))}
          {scripts.data?.rows.length === 0 && (
            <tr>
              <td colSpan={7} className="px-3 py-6 text-center text-slate-500">
                No scripts yet.
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}
