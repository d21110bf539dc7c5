'use client';

import { useMutation } from '@tanstack/react-query';
import clsx from 'clsx';
import { ArrowDown, ArrowUp } from 'lucide-react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { Table, TBody, Th, THead } from '@/components/ui/table';
import { useRowChange } from '@/components/ui/use-row-change';
import { api } from '@/lib/client/api';
import { describeCriteria, describeRuleActions } from '@/lib/status/describe-filter-rule';
import type { FilterRule } from '@/lib/status/status-filter-rule.schema';
import { FilterRuleForm } from './filter-rule-form';
import { FilterRuleTest } from './filter-rule-test';
import { filterRulesKey, useFilterRulesQuery } from './use-filter-rules';

function RuleRow({ rule, index, count, canEdit, onEdit }: { rule: FilterRule; index: number; count: number; canEdit: boolean; onEdit: () => void }) {
  const { error, setError, options, queryClient } = useRowChange(filterRulesKey);
  const move = useMutation({
    mutationFn: (direction: 'up' | 'down') =>
      api<{ rules: FilterRule[] }>(`/api/status-filter-rules/${rule.id}/move`, { method: 'POST', body: { direction } }),
    ...options,
    onSuccess: (result) => {
      setError(null);
      queryClient.setQueryData(filterRulesKey, result);
    },
  });
  const toggle = useMutation({
    mutationFn: () => api(`/api/status-filter-rules/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } }),
    ...options,
  });
  const remove = useMutation({ mutationFn: () => api(`/api/status-filter-rules/${rule.id}`, { method: 'DELETE' }), ...options });
  const busy = move.isPending || toggle.isPending || remove.isPending;
  const actions = describeRuleActions(rule);
  return (
    <tr data-testid="filter-rule-row" data-rule-name={rule.name} className={clsx('align-top', !rule.enabled && 'text-slate-400')}>
      <td className="px-2 py-1.5 tabular-nums">{index + 1}</td>
      <td className="px-2 py-1.5">
        <span className="font-medium">{rule.name}</span>
        {rule.builtIn && <span className="ml-1 rounded bg-slate-100 px-1 text-[11px] text-slate-500">default</span>}
        {!rule.enabled && <span className="ml-1 rounded bg-slate-100 px-1 text-[11px] text-slate-500">disabled</span>}
      </td>
      <td className="px-2 py-1.5">{describeCriteria(rule)}</td>
      <td className="px-2 py-1.5">
        {actions.length ? actions.join('; ') : <span className="text-slate-400">nothing (the message is discarded)</span>}
      </td>
      {canEdit && (
        <td className="whitespace-nowrap px-2 py-1.5 text-right">
          <span className="inline-flex items-center gap-1">
            <Button size="xs" disabled={busy || index === 0} aria-label={`Move ${rule.name} up`} onClick={() => move.mutate('up')}>
              <ArrowUp size={12} aria-hidden />
            </Button>
            <Button size="xs" disabled={busy || index === count - 1} aria-label={`Move ${rule.name} down`} onClick={() => move.mutate('down')}>
              <ArrowDown size={12} aria-hidden />
            </Button>
            <Button size="xs" disabled={busy} onClick={() => toggle.mutate()} aria-label={`${rule.enabled ? 'Disable' : 'Enable'} ${rule.name}`}>
              {rule.enabled ? 'Disable' : 'Enable'}
            </Button>
            <Button size="xs" disabled={busy} onClick={onEdit} aria-label={`Edit ${rule.name}`}>
              Edit
            </Button>
            <Button
              size="xs"
              disabled={busy}
              aria-label={`Delete ${rule.name}`}
              onClick={() => {
                if (window.confirm(`Delete the rule "${rule.name}"?`)) remove.mutate();
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
        </td>
      )}
    </tr>
  );
}

/**
 * Administration › Status Filter Rules: the rules in the order Status Manager evaluates them,
 * each with its criteria and actions in words; full administrators create, edit, reorder,
 * enable, disable and delete them. Anyone may test a message against them.
 */
export function StatusFilterRulesAdmin({ canEdit }: { canEdit: boolean }) {
  const rules = useFilterRulesQuery();
  const [editing, setEditing] = useState<FilterRule | 'new' | null>(null);
  const list = rules.data?.rules ?? [];
  return (
    <div className="space-y-4">
      {canEdit && !editing && (
        <Button onClick={() => setEditing('new')} variant="primary">
          New rule
        </Button>
      )}
      {editing && (
        <FilterRuleForm key={editing === 'new' ? 'new' : editing.id} rule={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
      )}
      {rules.error && (
        <p role="alert" className="text-sm text-red-700">
          {rules.error.message}
        </p>
      )}
      <Table>
        <caption className="sr-only">Status filter rules in priority order</caption>
        <THead>
          <tr>
            <Th className="w-8">#</Th>
            <Th>Rule</Th>
            <Th>Applies to</Th>
            <Th>Actions</Th>
            {canEdit && (
              <Th>
                <span className="sr-only">Change</span>
              </Th>
            )}
          </tr>
        </THead>
        <TBody>
          {list.map((rule, i) => (
            <RuleRow key={rule.id} rule={rule} index={i} count={list.length} canEdit={canEdit} onEdit={() => setEditing(rule)} />
          ))}
          {rules.data && !list.length && (
            <tr>
              <td colSpan={5} className="px-3 py-6 text-center text-slate-500">
                No rules: Status Manager discards every message.
              </td>
            </tr>
          )}
        </TBody>
      </Table>
      <FilterRuleTest />
    </div>
  );
}
