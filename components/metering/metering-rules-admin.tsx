'use client';

import Link from 'next/link';
import { useMutation } from '@tanstack/react-query';
import clsx from 'clsx';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ArrowDown, ArrowUp } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { CsvLink } from '@/components/ui/csv-link';
import { Input } from '@/components/ui/input';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { useDebouncedValue } from '@/components/ui/use-debounced-value';
import { useRowChange } from '@/components/ui/use-row-change';
import { api } from '@/lib/client/api';
import type { BulkChangeResult } from '@/lib/metering/bulk-change-metering-rules';
import type { ListedMeteringRule } from '@/lib/metering/list-metering-rules';
import { MAX_BULK_RULES, type MeteringRule, type MeteringRulesBulkChange } from '@/lib/metering/metering-rule.schema';
import { plural } from '@/lib/plural';
import { bulkChangeInTurns } from './bulk-change-in-turns';
import { ImportMeteringRules } from './import-metering-rules';
import { MeteringRuleForm } from './metering-rule-form';
import { sortRules, type RuleOrder } from './sort-rules';
import { meteringRulesKey, useMeteringRulesQuery } from './use-metering-rules';

function RuleRow({
  rule,
  canEdit,
  onEdit,
  selected,
  onSelect,
}: {
  rule: ListedMeteringRule;
  canEdit: boolean;
  onEdit: () => void;
  selected: boolean;
  onSelect: (selected: boolean) => void;
}) {
  const { error, options } = useRowChange(meteringRulesKey);
  const toggle = useMutation({
    mutationFn: () => api(`/api/metering-rules/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } }),
    ...options,
  });
  const remove = useMutation({ mutationFn: () => api(`/api/metering-rules/${rule.id}`, { method: 'DELETE' }), ...options });
  const busy = toggle.isPending || remove.isPending;
  return (
    <tr data-testid="metering-rule-row" data-product={rule.productName} className={clsx('align-top', !rule.enabled && 'text-slate-400')}>
      {canEdit && (
        <Td className="w-8">
          <input type="checkbox" aria-label={`Select ${rule.productName}`} checked={selected} onChange={(e) => onSelect(e.target.checked)} />
        </Td>
      )}
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
      <Td
        className="whitespace-nowrap text-xs text-slate-600"
        data-testid="rule-this-month"
        title="Runs, computers that ran it, and the most runs in progress at once this month (UTC)"
      >
        {rule.thisMonth
          ? `${plural(rule.thisMonth.runCount, 'run')} · ${plural(rule.thisMonth.distinctComputers, 'computer')} · ${rule.thisMonth.mostAtOnce} at once`
          : '—'}
      </Td>
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

const doneVerbs = { enable: 'Enabled', disable: 'Disabled', delete: 'Deleted' } as const;

/** What a bulk change did, in a sentence. */
function describeBulkChange(result: BulkChangeResult): string {
  const parts = [`${doneVerbs[result.action]} ${plural(result.changed, 'rule')}.`];
  if (result.unchanged) parts.push(`${plural(result.unchanged, 'rule')} already ${result.action === 'enable' ? 'enabled' : 'disabled'}.`);
  if (result.notFound.length) parts.push(`${plural(result.notFound.length, 'rule')} no longer there.`);
  return parts.join(' ');
}

/** The "select every rule shown" box: ticked when all are, half-ticked when some are. */
function SelectAll({ shown, chosen, onChange }: { shown: number; chosen: number; onChange: (all: boolean) => void }) {
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = chosen > 0 && chosen < shown;
  }, [chosen, shown]);
  return (
    <input
      ref={box}
      type="checkbox"
      aria-label="Select every rule shown"
      disabled={!shown}
      checked={shown > 0 && chosen === shown}
      onChange={(e) => onChange(e.target.checked)}
    />
  );
}

/** A column heading that sorts the rules by it: ascending first, then the other way. */
function SortHeading({ label, by, order, onOrder }: { label: string; by: RuleOrder['by']; order: RuleOrder; onOrder: (order: RuleOrder) => void }) {
  const sorted = order.by === by ? order.dir : null;
  return (
    <Th aria-sort={sorted ? (sorted === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button
        type="button"
        className="inline-flex items-center gap-1 uppercase hover:text-slate-800"
        onClick={() => onOrder({ by, dir: sorted === 'asc' ? 'desc' : 'asc' })}
      >
        {label}
        {sorted === 'asc' && <ArrowUp size={12} aria-hidden />}
        {sorted === 'desc' && <ArrowDown size={12} aria-hidden />}
      </button>
    </Th>
  );
}

/** Enable, disable or delete the chosen rules at once. */
function BulkActions({ chosen, onDone }: { chosen: MeteringRule[]; onDone: (message: string) => void }) {
  const { error, setError, options } = useRowChange(meteringRulesKey);
  const change = useMutation({
    mutationFn: (action: MeteringRulesBulkChange['action']) =>
      bulkChangeInTurns(
        action,
        chosen.map((r) => r.id),
        (change) => api<BulkChangeResult>('/api/metering-rules/bulk', { method: 'POST', body: change }),
      ),
    ...options,
    onSuccess: (result) => {
      options.onSuccess();
      onDone(describeBulkChange(result));
    },
  });
  const run = (action: MeteringRulesBulkChange['action']) => {
    setError(null);
    if (action === 'delete' && !window.confirm(`Delete ${plural(chosen.length, 'rule')}? Their recorded usage stays.`)) return;
    change.mutate(action);
  };
  return (
    <div
      role="toolbar"
      aria-label="Selected rules"
      className="flex flex-wrap items-center gap-2 rounded border border-sky-200 bg-sky-50 px-3 py-2 text-sm"
    >
      <span data-testid="selected-count">{plural(chosen.length, 'rule')} selected</span>
      <Button size="xs" disabled={change.isPending} onClick={() => run('enable')}>
        Enable
      </Button>
      <Button size="xs" disabled={change.isPending} onClick={() => run('disable')}>
        Disable
      </Button>
      <Button size="xs" disabled={change.isPending} onClick={() => run('delete')}>
        Delete
      </Button>
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </div>
  );
}

/**
 * Assets › Software Metering: the rules whose program runs the agents record. Full administrators
 * create, edit, enable, disable, delete and bulk-import them from CSV, and enable, disable or
 * delete the rules they tick all at once.
 */
export function MeteringRulesAdmin({ canEdit, siteCode }: { canEdit: boolean; siteCode: string }) {
  const [search, setSearch] = useState('');
  const searched = useDebouncedValue(search.trim());
  const rules = useMeteringRulesQuery(searched);
  const [panel, setPanel] = useState<MeteringRule | 'new' | 'import' | null>(null);
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set());
  const [done, setDone] = useState<string | null>(null);
  const [order, setOrder] = useState<RuleOrder>({ by: 'product', dir: 'asc' });
  const sorted = useMemo(() => sortRules(rules.data?.rules ?? [], order), [rules.data, order]);
  // Tens of thousands of rows (an import's worth) held the browser for minutes: the first of them
  // are shown, as many as one bulk change takes, and a search narrows the rest.
  const list = sorted.length > MAX_BULK_RULES ? sorted.slice(0, MAX_BULK_RULES) : sorted;
  // Only the rules shown count as chosen: a search that hides a ticked rule leaves it out of a change.
  const chosen = list.filter((r) => selected.has(r.id));
  const select = (ids: number[], on: boolean) => {
    setDone(null);
    setSelected((before) => {
      const next = new Set(before);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  };
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
        <CsvLink href={`/api/metering-rules/export.csv${searched ? `?search=${encodeURIComponent(searched)}` : ''}`} label="Export CSV" />
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
      {canEdit && chosen.length > 0 && (
        <BulkActions
          chosen={chosen}
          onDone={(message) => {
            setSelected(new Set());
            setDone(message);
          }}
        />
      )}
      {done && (
        <p role="status" className="text-sm text-slate-700">
          {done}
        </p>
      )}
      {rules.error && (
        <p role="alert" className="text-sm text-red-700">
          {rules.error.message}
        </p>
      )}
      {list.length < sorted.length && (
        <p className="text-xs text-slate-500" data-testid="rules-truncated">
          The first {list.length.toLocaleString('en-US')} of {plural(sorted.length, 'rule')} are shown; search by product or file name to find the
          others.
        </p>
      )}
      <Table>
        <caption className="sr-only">Software metering rules</caption>
        <THead>
          <tr>
            {canEdit && (
              <Th className="w-8">
                <SelectAll
                  shown={list.length}
                  chosen={chosen.length}
                  onChange={(all) =>
                    select(
                      list.map((r) => r.id),
                      all,
                    )
                  }
                />
              </Th>
            )}
            <SortHeading label="Product" by="product" order={order} onOrder={setOrder} />
            <Th>File name</Th>
            <Th>Original file name</Th>
            <Th>Version</Th>
            <Th>Site</Th>
            <SortHeading label="This month" by="use" order={order} onOrder={setOrder} />
            {canEdit && (
              <Th>
                <span className="sr-only">Change</span>
              </Th>
            )}
          </tr>
        </THead>
        <TBody>
          {list.map((rule) => (
            <RuleRow
              key={rule.id}
              rule={rule}
              canEdit={canEdit}
              onEdit={() => setPanel(rule)}
              selected={selected.has(rule.id)}
              onSelect={(on) => select([rule.id], on)}
            />
          ))}
          {rules.data && !list.length && (
            <tr>
              <td colSpan={8} className="px-3 py-6 text-center text-slate-500">
                {search ? 'No rule matches the search.' : 'No software metering rules yet.'}
              </td>
            </tr>
          )}
        </TBody>
      </Table>
    </div>
  );
}
