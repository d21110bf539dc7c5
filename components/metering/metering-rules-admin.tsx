'use client';

import Link from 'next/link';
import { useMutation } from '@tanstack/react-query';
import clsx from 'clsx';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { useDebouncedValue } from '@/components/ui/use-debounced-value';
import { useRowChange } from '@/components/ui/use-row-change';
import { api } from '@/lib/client/api';
import type { MeteringRule } from '@/lib/metering/metering-rule.schema';
import { ImportMeteringRules } from './import-metering-rules';
import { MeteringRuleForm } from './metering-rule-form';
import { meteringRulesKey, useMeteringRulesQuery } from './use-metering-rules';

function RuleRow({ rule, canEdit, onEdit }: { rule: MeteringRule; canEdit: boolean; onEdit: () => void }) {
  const { error, options } = useRowChange(meteringRulesKey);
  const toggle = useMutation({
    mutationFn: () => api(`/api/metering-rules/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } }),
    ...options,
  });
  const remove = useMutation({ mutationFn: () => api(`/api/metering-rules/${rule.id}`, { method: 'DELETE' }), ...options });
  const busy = toggle.isPending || remove.isPending;
  return (
    <tr data-testid="metering-rule-row" data-product={rule.productName} className={clsx('align-top', !rule.enabled && 'text-slate-400')}>
      <Td>
        <Link className="font-medium text-sky-700 hover:underline" href={`/assets/software-metering/${rule.id}`}>
          {rule.productName}
        </Link>
        {!rule.enabled && <span className="ml-1 rounded bg-slate-100 px-1 text-[11px] text-slate-500">disabled</span>}
      </Td>
      <Td className="font-mono text-xs">{rule.fileName}</Td>
      <Td className="font-mono text-xs">{rule.originalFileName || '—'}</Td>
      <Td className="font-mono text-xs">{rule.version}</Td>
      <Td>{rule.siteCode}</Td>
      {canEdit && (
        <Td className="whitespace-nowrap text-right">
          <span className="inline-flex items-center gap-1">
            <Button
              size="xs"
              disabled={busy}
              onClick={() => toggle.mutate()}
              aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.productName}`}
            >
              {rule.enabled ? 'Disable' : 'Enable'}
            </Button>
            <Button size="xs" disabled={busy} onClick={onEdit} aria-label={`Edit ${rule.productName}`}>
              Edit
            </Button>
            <Button
              size="xs"
              disabled={busy}
              aria-label={`Delete ${rule.productName}`}
              onClick={() => {
                if (window.confirm(`Delete the rule for "${rule.productName}"?`)) remove.mutate();
              }}
            >
              Delete
            </Button>
          </span>
          {error && (
            <span role="alert" className="block text-xs text-red-700">
              {error}
            </span>
          )}
        </Td>
      )}
    </tr>
  );
}

/**
 * Assets › Software Metering: the rules whose program runs the agents record. Full administrators
 * create, edit, enable, disable, delete and bulk-import them from CSV.
 */
export function MeteringRulesAdmin({ canEdit, siteCode }: { canEdit: boolean; siteCode: string }) {
  const [search, setSearch] = useState('');
  const rules = useMeteringRulesQuery(useDebouncedValue(search.trim()));
  const [panel, setPanel] = useState<MeteringRule | 'new' | 'import' | null>(null);
  const list = rules.data?.rules ?? [];
  return (
    <div className="space-y-4">
      <div className="flex items-center gap-2">
        <Input
          aria-label="Search rules"
          placeholder="Product or file name"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          className="w-64"
        />
        {canEdit && !panel && (
          <>
            <Button onClick={() => setPanel('new')} variant="primary">
              New rule
            </Button>
            <Button onClick={() => setPanel('import')}>Import CSV</Button>
          </>
        )}
      </div>
      {panel === 'import' && <ImportMeteringRules defaultSiteCode={siteCode} onDone={() => setPanel(null)} />}
      {panel && panel !== 'import' && (
        <MeteringRuleForm
          key={panel === 'new' ? 'new' : panel.id}
          rule={panel === 'new' ? null : panel}
          defaultSiteCode={siteCode}
          onDone={() => setPanel(null)}
        />
      )}
      {rules.error && (
        <p role="alert" className="text-sm text-red-700">
          {rules.error.message}
        </p>
      )}
      <Table>
        <caption className="sr-only">Software metering rules</caption>
        <THead>
          <tr>
            <Th>Product</Th>
            <Th>File name</Th>
            <Th>Original file name</Th>
            <Th>Version</Th>
            <Th>Site</Th>
            {canEdit && (
              <Th>
                <span className="sr-only">Change</span>
              </Th>
            )}
          </tr>
        </THead>
        <TBody>
          {list.map((rule) => (
            <RuleRow key={rule.id} rule={rule} canEdit={canEdit} onEdit={() => setPanel(rule)} />
          ))}
          {rules.data && !list.length && (
            <tr>
              <td colSpan={6} className="px-3 py-6 text-center text-slate-500">
                {search ? 'No rule matches the search.' : 'No software metering rules yet.'}
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}
