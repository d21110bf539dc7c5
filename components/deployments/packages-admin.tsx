'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { api, ApiError } from '@/lib/client/api';
import { packagesKey, usePackagesQuery } from './use-deployments-query';

const codes = (text: string) =>
  text
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean)
    .map(Number);

const program = 'programs.0';
/** Whether the API path `path` is the field's (or, for the exit codes, one of its items: successExitCodes.1). */
const isAt = (path: string, fieldPath: string) => path === fieldPath || path.startsWith(`${fieldPath}.`);
const messageAt = (error: ApiError | null, fieldPath: string) => error?.fields.find((f) => isAt(f.path, fieldPath))?.message;
/** The package form's fields: input name, the API path the server names it by, and how it shows. */
const packageFields: {
  name: string;
  path: string;
  label: string;
  errorName?: string;
  wide?: string;
  type?: string;
  mono?: boolean;
  defaultValue?: string | number;
  placeholder?: string;
  options?: [string, string][];
}[] = [
  { name: 'name', path: 'name', label: 'Name' },
  { name: 'version', path: 'version', label: 'Version' },
  { name: 'manufacturer', path: 'manufacturer', label: 'Manufacturer', wide: 'col-span-2' },
  { name: 'programName', path: `${program}.name`, label: 'Program name', defaultValue: 'Install' },
  {
    name: 'commandLine',
    path: `${program}.commandLine`,
    label: 'Command line',
    wide: 'col-span-3',
    mono: true,
    placeholder: 'msiexec /i setup.msi /qn',
  },
  {
    name: 'userLogon',
    path: `${program}.runConditions.userLogon`,
    label: 'Program can run',
    defaultValue: 'whether-or-not',
    options: [
      ['whether-or-not', 'Whether or not a user is logged on'],
      ['only-when-logged-on', 'Only when a user is logged on'],
      ['only-when-no-user', 'Only when no user is logged on'],
    ],
  },
  {
    name: 'runMode',
    path: `${program}.runConditions.runMode`,
    label: 'Run mode',
    defaultValue: 'administrative',
    options: [
      ['administrative', 'With administrative rights'],
      ['user', "With the user's rights"],
    ],
  },
  {
    name: 'maxRunMinutes',
    path: `${program}.runConditions.maxRunMinutes`,
    label: 'Maximum run time (minutes)',
    errorName: 'Maximum run time',
    type: 'number',
    defaultValue: 120,
  },
  { name: 'successExitCodes', path: `${program}.runConditions.successExitCodes`, label: 'Success exit codes', defaultValue: '0, 3010' },
  {
    name: 'retries',
    path: `${program}.runConditions.retries`,
    label: 'Retries after a failure',
    errorName: 'Retries',
    type: 'number',
    defaultValue: 0,
  },
  {
    name: 'retryIntervalMinutes',
    path: `${program}.runConditions.retryIntervalMinutes`,
    label: 'Retry interval (minutes)',
    errorName: 'Retry interval',
    type: 'number',
    defaultValue: 10,
  },
];

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
          programs: [
            {
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
            },
          ],
        });
      }}
    >
      {packageFields.map((f) => (
        <FormField key={f.name} label={f.label} errorName={f.errorName} error={messageAt(error, f.path)} path={f.path} className={f.wide}>
          {(control) =>
            f.options ? (
              <Select {...control} name={f.name} controlSize="md" className="mt-1 block w-full" defaultValue={f.defaultValue}>
                {f.options.map(([value, text]) => (
                  <option key={value} value={value}>
                    {text}
                  </option>
                ))}
              </Select>
            ) : (
              <Input
                {...control}
                name={f.name}
                type={f.type}
                defaultValue={f.defaultValue}
                placeholder={f.placeholder}
                controlSize="md"
                className={clsx('mt-1 block w-full', f.mono && 'font-mono')}
              />
            )
          }
        </FormField>
      ))}
      <div className="col-span-2 flex items-end gap-2">
        <Button type="submit" disabled={create.isPending} variant="primary">
          Create package
        </Button>
        <Button onClick={onDone}>Cancel</Button>
        <FormAlert error={error} shownAt={(path) => packageFields.some((f) => isAt(path, f.path))} />
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
        <Button onClick={() => setCreating(true)} variant="primary">
          New package
        </Button>
      )}
      {creating && <PackageForm onDone={() => setCreating(false)} />}
      {packages.error && (
        <p role="alert" className="text-sm text-red-700">
          {packages.error.message}
        </p>
      )}
      <Table>
        <caption className="sr-only">Packages</caption>
        <THead>
          <tr>
            <Th>Name</Th>
            <Th>Package ID</Th>
            <Th>Version</Th>
            <Th>Manufacturer</Th>
            <Th>Programs</Th>
            <Th className="text-right">Deployments</Th>
          </tr>
        </THead>
        <TBody>
          {packages.data?.rows.map((p) => (
            <tr key={p.id} className="align-top">
              <Td className="font-medium">{p.name}</Td>
              <Td className="font-mono text-xs">{p.packageId}</Td>
              <Td>{p.version}</Td>
              <Td>{p.manufacturer}</Td>
              <Td>
                {p.programs.map((g) => (
                  <div key={g.id}>
                    <span className="font-medium">{g.name}</span>: <code className="text-xs">{g.commandLine}</code>
                    <span className="text-xs text-slate-500">
                      {' '}
                      · up to {g.runConditions.maxRunMinutes} min · success {g.runConditions.successExitCodes.join(', ')}
                      {g.runConditions.retries ? ` · ${g.runConditions.retries} retries` : ''}
                    </span>
                  </div>
                ))}
              </Td>
              <Td className="text-right tabular-nums">{p.deployments}</Td>
            </tr>
          ))}
          {packages.data?.rows.length === 0 && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                No packages yet.
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}
