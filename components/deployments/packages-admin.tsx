'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError } from '@/lib/client/api';
import { FieldMessage, inputClass, labelClass } from './deployment-form';
import { packagesKey, usePackagesQuery } from './use-deployments-query';

const codes = (text: string) => text.split(',').map((c) => c.trim()).filter(Boolean).map(Number);

/** New package with its first program and the program's run conditions. */
function PackageForm({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const create = useMutation({
    mutationFn: (body: unknown) => api<{ id: number; packageId: string }>('/api/packages', { method: 'POST', body }),
    onSuccess: () => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: packagesKey });
      onDone();
    },
    onError: (e) => setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', 'The package could not be created.')),
  });
  const p = 'programs.0';
  return (
    <form
      aria-label="New package"
      noValidate
      className="grid grid-cols-4 gap-3 rounded border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        const f = new FormData(event.currentTarget);
        const number = (name: string) => (f.get(name) === '' ? Number.NaN : Number(f.get(name)));
        create.mutate({
          name: String(f.get('name') ?? ''),
          version: String(f.get('version') ?? ''),
          manufacturer: String(f.get('manufacturer') ?? ''),
          programs: [{
            name: String(f.get('programName') ?? ''),
            commandLine: String(f.get('commandLine') ?? ''),
            runConditions: {
              userLogon: String(f.get('userLogon')),
              runMode: String(f.get('runMode')),
              maxRunMinutes: number('maxRunMinutes'),
              retries: number('retries'),
              retryIntervalMinutes: number('retryIntervalMinutes'),
              successExitCodes: codes(String(f.get('successExitCodes') ?? '')),
            },
          }],
        });
      }}
    >
      <label className={labelClass}>Name<input name="name" className={inputClass} /><FieldMessage error={error} path="name" label="Name" /></label>
      <label className={labelClass}>Version<input name="version" className={inputClass} /></label>
      <label className={`${labelClass} col-span-2`}>Manufacturer<input name="manufacturer" className={inputClass} /></label>
      <label className={labelClass}>Program name<input name="programName" defaultValue="Install" className={inputClass} /><FieldMessage error={error} path={`${p}.name`} label="Program name" /></label>
      <label className={`${labelClass} col-span-3`}>Command line<input name="commandLine" className={`${inputClass} font-mono`} placeholder="msiexec /i setup.msi /qn" /><FieldMessage error={error} path={`${p}.commandLine`} label="Command line" /></label>
      <label className={labelClass}>
        Program can run
        <select name="userLogon" className={inputClass} defaultValue="whether-or-not">
          <option value="whether-or-not">Whether or not a user is logged on</option>
          <option value="only-when-logged-on">Only when a user is logged on</option>
          <option value="only-when-no-user">Only when no user is logged on</option>
        </select>
      </label>
      <label className={labelClass}>
        Run mode
        <select name="runMode" className={inputClass} defaultValue="administrative">
          <option value="administrative">With administrative rights</option>
          <option value="user">With the user&apos;s rights</option>
        </select>
      </label>
      <label className={labelClass}>Maximum run time (minutes)<input name="maxRunMinutes" type="number" defaultValue={120} className={inputClass} /><FieldMessage error={error} path={`${p}.runConditions.maxRunMinutes`} label="Maximum run time" /></label>
      <label className={labelClass}>Success exit codes<input name="successExitCodes" defaultValue="0, 3010" className={inputClass} /><FieldMessage error={error} path={`${p}.runConditions.successExitCodes`} label="Success exit codes" /></label>
      <label className={labelClass}>Retries after a failure<input name="retries" type="number" defaultValue={0} className={inputClass} /><FieldMessage error={error} path={`${p}.runConditions.retries`} label="Retries" /></label>
      <label className={labelClass}>Retry interval (minutes)<input name="retryIntervalMinutes" type="number" defaultValue={10} className={inputClass} /><FieldMessage error={error} path={`${p}.runConditions.retryIntervalMinutes`} label="Retry interval" /></label>
      <div className="col-span-2 flex items-end gap-2">
        <button type="submit" disabled={create.isPending} className="rounded bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">Create package</button>
        <button type="button" onClick={onDone} className="rounded border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50">Cancel</button>
        {error && !error.fields.length && <p role="alert" className="text-sm text-red-700">{error.message}</p>}
      </div>
    </form>
  );
}

/** Assets › Packages: packages and their programs, the things deployments run. */
export function PackagesAdmin({ canManage }: { canManage: boolean }) {
  const packages = usePackagesQuery();
  const [creating, setCreating] = useState(false);
  return (
    <div className="space-y-4">
      {canManage && !creating && (
        <button type="button" onClick={() => setCreating(true)} className="rounded bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800">New package</button>
      )}
      {creating && <PackageForm onDone={() => setCreating(false)} />}
      {packages.error && <p role="alert" className="text-sm text-red-700">{packages.error.message}</p>}
      <table className="w-full border border-slate-200 bg-white text-[13px]">
        <caption className="sr-only">Packages</caption>
        <thead className="bg-slate-50 text-left text-xs uppercase text-slate-500">
          <tr>
            <th className="px-2 py-2">Name</th><th className="px-2 py-2">Package ID</th><th className="px-2 py-2">Version</th>
            <th className="px-2 py-2">Manufacturer</th><th className="px-2 py-2">Programs</th><th className="px-2 py-2 text-right">Deployments</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {packages.data?.rows.map((p) => (
            <tr key={p.id} className="align-top">
              <td className="px-2 py-1 font-medium">{p.name}</td>
              <td className="px-2 py-1 font-mono text-xs">{p.packageId}</td>
              <td className="px-2 py-1">{p.version}</td>
              <td className="px-2 py-1">{p.manufacturer}</td>
              <td className="px-2 py-1">
                {p.programs.map((g) => (
                  <div key={g.id}>
                    <span className="font-medium">{g.name}</span>: <code className="text-xs">{g.commandLine}</code>
                    <span className="text-xs text-slate-500"> · up to {g.runConditions.maxRunMinutes} min · success {g.runConditions.successExitCodes.join(', ')}{g.runConditions.retries ? ` · ${g.runConditions.retries} retries` : ''}</span>
                  </div>
                ))}
              </td>
              <td className="px-2 py-1 text-right tabular-nums">{p.deployments}</td>
            </tr>
          ))}
          {packages.data?.rows.length === 0 && <tr><td colSpan={6} className="px-3 py-6 text-center text-slate-500">No packages yet.</td></tr>}
        </tbody>
      </table>
    </div>
  );
}
