'use client';

import { useMutation } from '@tanstack/react-query';
import clsx from 'clsx';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Input, Textarea } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Table, TBody, Td, THead } from '@/components/ui/table';
import { api, ApiError } from '@/lib/client/api';
import { describeActions } from '@/lib/status/describe-filter-rule';
import type { RuleTestLine, testFilterRules } from '@/lib/status/test-filter-rules';

type TestResult = ReturnType<typeof testFilterRules>;

const initial = {
  messageId: '10907',
  severity: 'INFORMATIONAL',
  type: 'DETAIL',
  source: 'CLIENT',
  siteCode: 'S01',
  systemName: 'WKS0001',
  component: 'SMS_SOFTWARE_METERING_AGENT',
  insertionStrings: 'S0100001\nwinword.exe',
  properties: '',
};

/** "Name=Value" lines as properties; a line without "=" is refused by name. */
function parseProperties(text: string): { properties: Record<string, string>; bad: string | null } {
  const properties: Record<string, string> = {};
  for (const line of text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) return { properties, bad: line };
    properties[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { properties, bad: null };
}

/** The combined result in words, saying also what does not happen to the message. */
function outcome(actions: TestResult['result']): string[] {
  const words = describeActions(actions);
  if (!actions.writeToDatabase) words.unshift('not store it (no matching rule writes it to the database)');
  if (actions.forwardToSummarizers) words.push('forward it to the status summarizers');
  return words;
}

function lineOutcome(line: RuleTestLine): string {
  if (!line.matches) return 'Does not match';
  if (!line.enabled) return 'Matches, but the rule is disabled';
  if (!line.reached) return 'Matches, but is not reached';
  return line.stops ? 'Matches, and stops here' : 'Matches';
}

/**
 * "Test a message": a message as a source would report it, run through the rules without
 * storing or running anything; shows each rule's verdict and what Status Manager would do.
 */
export function FilterRuleTest() {
  const [draft, setDraft] = useState(initial);
  const [localError, setLocalError] = useState<{ path: string; message: string } | null>(null);
  const test = useMutation({
    mutationFn: (message: unknown) => api<TestResult>('/api/status-filter-rules/test', { method: 'POST', body: { message } }),
  });
  const serverError = test.error instanceof ApiError ? test.error : null;
  const messageFor = (path: string) => (localError?.path === path ? localError.message : undefined) ?? serverError?.fieldMessage(`message.${path}`);
  const set = (key: keyof typeof initial, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const input = (key: keyof typeof initial, label: string) => (
    <FormField label={label} error={messageFor(key)} path={`message.${key}`}>
      {(props) => <Input {...props} value={draft[key]} onChange={(e) => set(key, e.target.value)} className="mt-0.5 block w-full" />}
    </FormField>
  );
  const choose = (key: keyof typeof initial, label: string, options: [string, string][]) => (
    <label className="text-xs font-medium text-slate-600">
      {label}
      <Select value={draft[key]} onChange={(e) => set(key, e.target.value)} className="mt-0.5 block w-full">
        {options.map(([v, t]) => (
          <option key={v} value={v}>
            {t}
          </option>
        ))}
      </Select>
    </label>
  );
  const result = test.data;

  return (
    <section aria-labelledby="rule-test-title" className="space-y-3 rounded border border-slate-200 bg-white p-4">
      <h2 id="rule-test-title" className="text-sm font-semibold text-slate-900">
        Test a message
      </h2>
      <form
        aria-label="Test a message"
        className="grid grid-cols-4 gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const { properties, bad } = parseProperties(draft.properties);
          if (bad !== null) return setLocalError({ path: 'properties', message: `line "${bad}" is not Name=Value` });
          if (!/^\d+$/.test(draft.messageId.trim())) return setLocalError({ path: 'messageId', message: 'must be a whole number' });
          setLocalError(null);
          test.mutate({
            messageId: Number(draft.messageId),
            severity: draft.severity,
            type: draft.type,
            source: draft.source,
            siteCode: draft.siteCode.trim().toUpperCase(),
            systemName: draft.systemName,
            component: draft.component,
            insertionStrings: draft.insertionStrings.split('\n').filter((s) => s !== ''),
            properties,
          });
        }}
      >
        {input('messageId', 'Message ID')}
        {choose('severity', 'Severity', [
          ['INFORMATIONAL', 'Informational'],
          ['WARNING', 'Warning'],
          ['ERROR', 'Error'],
        ])}
        {choose('type', 'Type', [
          ['MILESTONE', 'Milestone'],
          ['DETAIL', 'Detail'],
          ['AUDIT', 'Audit'],
        ])}
        {choose('source', 'Source', [
          ['CLIENT', 'Client'],
          ['SERVER', 'Server'],
          ['PROVIDER', 'Provider'],
        ])}
        {input('siteCode', 'Site code')}
        {input('systemName', 'System')}
        <div className="col-span-2">{input('component', 'Component')}</div>
        <label className="col-span-2 text-xs font-medium text-slate-600">
          Insertion strings, one per line
          <Textarea
            rows={3}
            value={draft.insertionStrings}
            onChange={(e) => set('insertionStrings', e.target.value)}
            className="mt-0.5 block w-full font-mono"
          />
        </label>
        <FormField
          label="Properties, one Name=Value per line"
          errorName="Properties"
          error={messageFor('properties')}
          path="message.properties"
          className="col-span-2"
        >
          {(props) => (
            <Textarea
              {...props}
              rows={3}
              value={draft.properties}
              onChange={(e) => set('properties', e.target.value)}
              placeholder="AdvertisementID=S0120001"
              className="mt-0.5 block w-full font-mono"
            />
          )}
        </FormField>
        <div className="col-span-4 flex items-center gap-2">
          <Button type="submit" disabled={test.isPending} size="xs">
            Test against the rules
          </Button>
          {serverError && !serverError.fields.length && (
            <span role="alert" className="text-xs text-red-700">
              {serverError.message}
            </span>
          )}
          {serverError && serverError.fields.length > 0 && (
            <span role="alert" className="text-xs text-red-700">
              The message is not valid.
            </span>
          )}
        </div>
      </form>
      {result && (
        <div data-testid="rule-test-result" className="space-y-2 text-sm">
          <p>
            <span className="text-slate-500">Description:</span> <span data-testid="rule-test-description">{result.description}</span>
          </p>
          <Table framed={false}>
            <THead>
              <tr>
                <th className="px-2 py-1">#</th>
                <th className="px-2 py-1">Rule</th>
                <th className="px-2 py-1">Verdict</th>
                <th className="px-2 py-1">Would do</th>
              </tr>
            </THead>
            <TBody>
              {result.rules.map((line, i) => (
                <tr key={line.ruleId} data-testid="rule-test-line" className={clsx(!line.actions && 'text-slate-400')}>
                  <Td className="tabular-nums">{i + 1}</Td>
                  <Td>{line.name}</Td>
                  <Td>{lineOutcome(line)}</Td>
                  <Td>{line.actions ? describeActions({ ...line.actions, stopProcessing: line.stops }).join('; ') || 'nothing' : '—'}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
          <p data-testid="rule-test-outcome">
            <span className="font-medium">Status Manager would: </span>
            {outcome(result.result).join('; ')}.
          </p>
        </div>
      )}
    </section>
  );
}
