'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormField, type FieldControlProps } from '@/components/ui/form-field';
import { Input, Textarea } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { api, ApiError, type FieldError } from '@/lib/client/api';
import { filterRuleInputSchema, type FilterRule, type FilterRuleInput } from '@/lib/status/status-filter-rule.schema';
import { filterRulesKey } from './use-filter-rules';

/** The form's values: what the inputs hold, as text where the input is text. */
interface Draft {
  name: string;
  enabled: boolean;
  source: string;
  siteCode: string;
  systemName: string;
  component: string;
  messageType: string;
  severity: string;
  messageId: string;
  propertyName: string;
  propertyValue: string;
  writeToDatabase: boolean;
  retentionDays: string;
  reportToEventLog: boolean;
  replicateToParent: string;
  doNotForward: boolean;
  program: '' | 'command' | 'webhook';
  programFile: string;
  programArgs: string;
  programUrl: string;
  programTimeout: string;
  stopProcessing: boolean;
}

function draftOf(rule: FilterRule | null): Draft {
  const p = rule?.runProgram ?? null;
  return {
    name: rule?.name ?? '',
    enabled: rule?.enabled ?? true,
    source: rule?.source ?? '',
    siteCode: rule?.siteCode ?? '',
    systemName: rule?.systemName ?? '',
    component: rule?.component ?? '',
    messageType: rule?.messageType ?? '',
    severity: rule?.severity ?? '',
    messageId: rule?.messageId?.toString() ?? '',
    propertyName: rule?.propertyName ?? '',
    propertyValue: rule?.propertyValue ?? '',
    writeToDatabase: rule?.writeToDatabase ?? false,
    retentionDays: rule?.retentionDays?.toString() ?? '',
    reportToEventLog: rule?.reportToEventLog ?? false,
    replicateToParent: rule?.replicateToParent ?? 'NONE',
    doNotForward: rule ? !rule.forwardToSummarizers : false,
    program: p?.kind ?? '',
    programFile: p?.kind === 'command' ? p.file : '',
    programArgs: p?.kind === 'command' ? p.args.join('\n') : '',
    programUrl: p?.kind === 'webhook' ? p.url : '',
    programTimeout: p ? String(p.timeoutSeconds) : '30',
    stopProcessing: rule?.stopProcessing ?? false,
  };
}

const wholeNumber = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : text.trim() === '' ? null : Number.NaN);

/** The draft as the API's input, or the fields the browser can already tell are wrong. */
function toInput(d: Draft): { input?: FilterRuleInput; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const number = (path: string, text: string) => {
    const n = wholeNumber(text);
    if (Number.isNaN(n)) errors.push({ path, message: 'must be a whole number' });
    return Number.isNaN(n) ? null : n;
  };
  const messageId = number('messageId', d.messageId);
  const retentionDays = number('retentionDays', d.retentionDays);
  const timeout = d.program ? (number('runProgram.timeoutSeconds', d.programTimeout) ?? 30) : 30;
  const runProgram =
    d.program === 'command'
      ? { kind: 'command' as const, file: d.programFile.trim(), args: d.programArgs.split('\n').filter((a) => a !== ''), timeoutSeconds: timeout }
      : d.program === 'webhook'
        ? { kind: 'webhook' as const, url: d.programUrl.trim(), timeoutSeconds: timeout }
        : null;
  const parsed = filterRuleInputSchema.safeParse({
    name: d.name,
    enabled: d.enabled,
    source: d.source || null,
    siteCode: d.siteCode.trim().toUpperCase() || null,
    systemName: d.systemName,
    component: d.component,
    messageType: d.messageType || null,
    severity: d.severity || null,
    messageId,
    propertyName: d.propertyName,
    propertyValue: d.propertyValue,
    writeToDatabase: d.writeToDatabase,
    retentionDays: d.writeToDatabase ? retentionDays : null,
    reportToEventLog: d.reportToEventLog,
    replicateToParent: d.replicateToParent,
    forwardToSummarizers: !d.doNotForward,
    runProgram,
    stopProcessing: d.stopProcessing,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.');
      if (!errors.some((e) => e.path === path)) errors.push({ path, message: issue.message });
    }
  }
  return errors.length || !parsed.success ? { errors } : { input: parsed.data, errors };
}

/**
 * Create or edit a status filter rule: criteria, then actions, as the reference lays them out.
 * Validated in the browser with the API's own schema; what the server still refuses shows
 * under its field too.
 */
export function FilterRuleForm({ rule, onDone }: { rule: FilterRule | null; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule));
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  // The version the form was opened on: a change made meanwhile by someone else is not overwritten.
  const [baseUpdatedAt] = useState(rule?.updatedAt);
  const save = useMutation({
    mutationFn: (input: FilterRuleInput) =>
      rule
        ? api<FilterRule>(`/api/status-filter-rules/${rule.id}`, { method: 'PATCH', body: { ...input, baseUpdatedAt } })
        : api<FilterRule>('/api/status-filter-rules', { method: 'POST', body: input }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: filterRulesKey });
      onDone();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.fields.length) setErrors(e.fields);
      setFailure(e instanceof ApiError ? e.message : 'Saving failed.');
    },
  });
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const messageFor = (path: string) => errors.find((e) => e.path === path)?.message;

  const field = (path: string, label: string, input: (control: FieldControlProps) => React.ReactNode, hint?: string) => (
    <FormField label={label} error={messageFor(path)} hint={hint} path={path}>
      {input}
    </FormField>
  );
  const text = (
    key: keyof Draft & string,
    path: string,
    label: string,
    hint?: string,
    inputProps: React.InputHTMLAttributes<HTMLInputElement> = {},
  ) =>
    field(
      path,
      label,
      (props) => (
        <Input
          {...props}
          value={draft[key] as string}
          onChange={(e) => set(key, e.target.value as never)}
          className="mt-0.5 block w-full"
          {...inputProps}
        />
      ),
      hint,
    );
  const select = (key: keyof Draft & string, label: string, options: [string, string][]) =>
    field(key, label, (props) => (
      <Select {...props} value={draft[key] as string} onChange={(e) => set(key, e.target.value as never)} className="mt-0.5 block w-full">
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </Select>
    ));
  const check = (key: keyof Draft & string, label: string) => (
    <label className="flex items-center gap-2 text-sm text-slate-800">
      <input type="checkbox" checked={draft[key] as boolean} onChange={(e) => set(key, e.target.checked as never)} />
      {label}
    </label>
  );

  return (
    <form
      aria-label={rule ? `Edit rule ${rule.name}` : 'New status filter rule'}
      noValidate
      className="space-y-4 rounded border border-blue-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        setFailure(null);
        const { input, errors: found } = toInput(draft);
        setErrors(found);
        if (input) save.mutate(input);
        else setFailure('Some fields need attention.');
      }}
    >
      <h2 className="text-sm font-semibold text-slate-900">{rule ? `Edit "${rule.name}"` : 'New status filter rule'}</h2>
      <div className="grid grid-cols-[minmax(0,2fr)_minmax(0,1fr)] items-end gap-4">
        {text('name', 'name', 'Rule name')}
        {check('enabled', 'Enabled')}
      </div>
      <fieldset className="space-y-2">
        <legend className="text-xs font-semibold uppercase text-slate-500">
          Messages this rule applies to (leave a criterion empty to match any)
        </legend>
        <div className="grid grid-cols-3 gap-3">
          {select('source', 'Source', [
            ['', 'Any source'],
            ['CLIENT', 'Client'],
            ['SERVER', 'Server'],
            ['PROVIDER', 'Provider'],
          ])}
          {text('siteCode', 'siteCode', 'Site code', undefined, { placeholder: 'S01' })}
          {text('systemName', 'systemName', 'System')}
          {text('component', 'component', 'Component')}
          {select('messageType', 'Message type', [
            ['', 'Any type'],
            ['MILESTONE', 'Milestone'],
            ['DETAIL', 'Detail'],
            ['AUDIT', 'Audit'],
          ])}
          {select('severity', 'Severity', [
            ['', 'Any severity'],
            ['INFORMATIONAL', 'Informational'],
            ['WARNING', 'Warning'],
            ['ERROR', 'Error'],
          ])}
          {text('messageId', 'messageId', 'Message ID', undefined, { inputMode: 'numeric' })}
          {text('propertyName', 'propertyName', 'Property', undefined, { placeholder: 'AdvertisementID' })}
          {text('propertyValue', 'propertyValue', 'Property value')}
        </div>
      </fieldset>
      <fieldset className="space-y-2">
        <legend className="text-xs font-semibold uppercase text-slate-500">Actions</legend>
        <div className="grid grid-cols-2 gap-x-6 gap-y-2">
          <div className="space-y-2">
            <div className="flex items-end gap-3">
              {check('writeToDatabase', 'Write to the database')}
              {draft.writeToDatabase && (
                <div className="w-40">{text('retentionDays', 'retentionDays', 'Keep for (days)', undefined, { inputMode: 'numeric' })}</div>
              )}
            </div>
            {check('reportToEventLog', 'Report to the event log')}
            {select('replicateToParent', 'Replicate to the parent site', [
              ['NONE', 'Do not replicate'],
              ['LOW', 'Low priority'],
              ['MEDIUM', 'Medium priority'],
              ['HIGH', 'High priority'],
            ])}
            {check('doNotForward', 'Do not forward to status summarizers')}
            {check('stopProcessing', 'Do not process lower-priority status filter rules')}
          </div>
          <div className="space-y-2">
            {select('program', 'Run a program', [
              ['', 'No program'],
              ['command', 'A command on the site server'],
              ['webhook', 'A webhook (HTTP POST of the message)'],
            ])}
            {draft.program === 'command' && (
              <>
                {text('programFile', 'runProgram.file', 'Program (absolute path)', undefined, { placeholder: '/usr/local/bin/notify' })}
                {field(
                  'runProgram.args',
                  'Arguments, one per line',
                  (props) => (
                    <Textarea
                      {...props}
                      rows={3}
                      value={draft.programArgs}
                      onChange={(e) => set('programArgs', e.target.value)}
                      className="mt-0.5 block w-full font-mono"
                    />
                  ),
                  'Run without a shell. Placeholders: %msgid %msgsev %msgtype %msgsrc %sitecode %msgsys %msgcomp %msgdesc %msguid %msgtime %msgis01…%msgis10',
                )}
              </>
            )}
            {draft.program === 'webhook' &&
              text('programUrl', 'runProgram.url', 'Webhook URL', undefined, { placeholder: 'https://hooks.example.com/sitebox' })}
            {draft.program && text('programTimeout', 'runProgram.timeoutSeconds', 'Time limit (seconds)', undefined, { inputMode: 'numeric' })}
          </div>
        </div>
      </fieldset>
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={save.isPending} variant="primary">
          {rule ? 'Save changes' : 'Create rule'}
        </Button>
        <Button size="xs" onClick={onDone}>
          Cancel
        </Button>
        {failure && (
          <span role="alert" className="text-sm text-red-700">
            {failure}
          </span>
        )}
      </div>
    </form>
  );
}
