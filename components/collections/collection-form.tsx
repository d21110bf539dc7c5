'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { fieldErrorClass, FormAlert, FormField, type FieldControlProps } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { api, ApiError } from '@/lib/client/api';
import type { CollectionPreview } from '@/lib/collections/collection-input.schema';
import type { DeviceCondition } from '@/lib/collections/collection-rule.schema';
import type { CollectionDetail, CollectionRow } from '@/lib/collections/list-collections.schema';
import type { DevicePage } from '@/lib/devices/list-devices.schema';
import { useDebouncedValue } from '../ui/use-debounced-value';

type Field = DeviceCondition['field'];
const fieldLabels: Record<Field, string> = {
  name: 'Name matches (* and ?)',
  osName: 'Operating system',
  osVersion: 'OS version',
  osKind: 'Kind',
  siteCode: 'Site code',
  ipSubnet: 'IP subnet',
  lastSeenWithinDays: 'Seen within days',
  online: 'Online',
  clientActivity: 'Client activity',
  memoryMb: 'Memory (MB)',
  diskFreeMb: 'Free disk (MB)',
  manufacturer: 'Manufacturer',
  model: 'Model',
  software: 'Has package',
  notSoftware: 'Does not have package',
};

const textOps: [string, string][] = [
  ['contains', 'contains'],
  ['equals', 'is'],
];
const sizeOps: [string, string][] = [
  ['>=', 'at least'],
  ['<=', 'at most'],
];
/** The operator choices of a property (value, label); properties without one have none. */
const operators: Partial<Record<Field, [string, string][]>> = {
  osName: textOps,
  model: textOps,
  manufacturer: textOps,
  osVersion: [
    ['equals', 'is'],
    ['startsWith', 'starts with'],
    ['<', 'earlier than'],
    ['<=', 'at most'],
    ['>=', 'at least'],
    ['>', 'later than'],
  ],
  memoryMb: sizeOps,
  diskFreeMb: sizeOps,
  clientActivity: [
    ['active', 'active within'],
    ['inactive', 'inactive for'],
  ],
};
const versionOps: [string, string][] = [
  ['', 'any version'],
  ['<', 'version <'],
  ['<=', 'version <='],
  ['=', 'version ='],
  ['>=', 'version >='],
  ['>', 'version >'],
];

/**
 * One condition as the form holds it: `value` is the pattern, text, number or package name;
 * `op` the operator (for a package, the version comparison, '' for any version).
 */
interface ConditionDraft {
  field: Field;
  op: string;
  value: string;
  version: string;
}
type RuleDraft =
  | { key: number; kind: 'QUERY'; name: string; match: 'all' | 'any'; conditions: ConditionDraft[] }
  | { key: number; kind: 'DIRECT'; deviceId: number | null; deviceName: string }
  | { key: number; kind: 'INCLUDE' | 'EXCLUDE'; collectionId: number | null };

let nextKey = 1;
/** The API paths the form shows beside a field: its own, and the rules' (under each rule). */
const formPaths = ['name', 'limitingCollectionId', 'refreshMinutes', 'comment'];
const ruleFieldPath = /^rules\.\d+\.(query\.conditions\.\d+|deviceId|collectionId)(\.|$)/;

const conditionFor = (field: Field): ConditionDraft => ({
  field,
  op: operators[field]?.[0][0] ?? '',
  value: field === 'online' ? 'true' : field === 'osKind' ? 'WORKSTATION' : '',
  version: '',
});
const newCondition = () => conditionFor('osName');
const newRule = (kind: RuleDraft['kind']): RuleDraft =>
  kind === 'QUERY'
    ? { key: nextKey++, kind, name: '', match: 'all', conditions: [newCondition()] }
    : kind === 'DIRECT'
      ? { key: nextKey++, kind, deviceId: null, deviceName: '' }
      : { key: nextKey++, kind, collectionId: null };

/** A typed number, or NaN (sent as null) for an empty field, so the server names the field. */
const numberOf = (text: string) => (text.trim() === '' ? Number.NaN : Number(text));

function conditionToApi(c: ConditionDraft): unknown {
  switch (c.field) {
    case 'name':
      return { field: 'name', pattern: c.value };
    case 'osName':
    case 'osVersion':
    case 'model':
    case 'manufacturer':
      return { field: c.field, op: c.op, value: c.value };
    case 'memoryMb':
    case 'diskFreeMb':
      return { field: c.field, op: c.op, value: numberOf(c.value) };
    case 'software':
    case 'notSoftware':
      return { field: c.field, name: c.value.trim(), ...(c.op ? { version: { op: c.op, value: c.version.trim() } } : {}) };
    case 'clientActivity':
      return { field: c.field, value: c.op, days: numberOf(c.value) };
    case 'lastSeenWithinDays':
      return { field: c.field, value: numberOf(c.value) };
    case 'online':
      return { field: c.field, value: c.value !== 'false' };
    default:
      return { field: c.field, value: c.value };
  }
}

function conditionFromApi(c: DeviceCondition): ConditionDraft {
  switch (c.field) {
    case 'name':
      return { field: 'name', op: '', value: c.pattern, version: '' };
    case 'software':
    case 'notSoftware':
      return { field: c.field, op: c.version?.op ?? '', value: c.name, version: c.version?.value ?? '' };
    case 'clientActivity':
      return { field: c.field, op: c.value, value: String(c.days), version: '' };
    case 'osName':
    case 'osVersion':
    case 'model':
    case 'manufacturer':
    case 'memoryMb':
    case 'diskFreeMb':
      return { field: c.field, op: c.op, value: String(c.value), version: '' };
    default:
      return { field: c.field, op: '', value: String(c.value), version: '' };
  }
}

function rulesToApi(rules: RuleDraft[]): unknown[] {
  return rules.map((r) =>
    r.kind === 'QUERY'
      ? { kind: r.kind, name: r.name, query: { match: r.match, conditions: r.conditions.map(conditionToApi) } }
      : r.kind === 'DIRECT'
        ? { kind: r.kind, deviceId: r.deviceId ?? 0 }
        : { kind: r.kind, collectionId: r.collectionId ?? 0 },
  );
}

function rulesFromDetail(detail: CollectionDetail): RuleDraft[] {
  return detail.rules.map((r): RuleDraft => {
    if (r.kind === 'QUERY') {
      const q = r.query as { match?: 'all' | 'any'; conditions?: DeviceCondition[] } | null;
      return { key: nextKey++, kind: 'QUERY', name: r.name, match: q?.match ?? 'all', conditions: (q?.conditions ?? []).map(conditionFromApi) };
    }
    if (r.kind === 'DIRECT') return { key: nextKey++, kind: 'DIRECT', deviceId: r.deviceId, deviceName: r.deviceName ?? '' };
    return { key: nextKey++, kind: r.kind, collectionId: r.collectionId };
  });
}

/** aria-invalid and aria-describedby for a rule's control whose error shows under it. */
type ErrorLink = Pick<FieldControlProps, 'aria-invalid' | 'aria-describedby'>;
const errorLink = (errorId: string, problem: string | undefined): ErrorLink => (problem ? { 'aria-invalid': true, 'aria-describedby': errorId } : {});

const placeholders: Partial<Record<Field, string>> = {
  name: 'NYC-WS-*',
  osName: 'Windows 11',
  osVersion: '22.04',
  siteCode: 'S01',
  ipSubnet: '10.1.0.0/16',
  lastSeenWithinDays: '7',
  clientActivity: 'days, e.g. 7',
  memoryMb: '8192',
  diskFreeMb: '10240',
  manufacturer: 'Dell Inc.',
  model: 'OptiPlex 7010',
  software: 'openssl',
  notSoftware: 'openssl',
};
const numericFields: Field[] = ['lastSeenWithinDays', 'clientActivity', 'memoryMb', 'diskFreeMb'];

function ValueInput({
  c,
  onChange,
  label,
  link,
  versionLink,
}: {
  c: ConditionDraft;
  onChange: (c: ConditionDraft) => void;
  /** The condition's name ("Rule 1 condition 2"); each control's label starts with it. */
  label: string;
  link: ErrorLink;
  versionLink: ErrorLink;
}) {
  if (c.field === 'osKind') {
    return (
      <Select
        aria-label={`${label} value`}
        {...link}
        className="block w-full"
        value={c.value || 'WORKSTATION'}
        onChange={(e) => onChange({ ...c, value: e.target.value })}
      >
        <option value="WORKSTATION">Workstations</option>
        <option value="SERVER">Servers</option>
      </Select>
    );
  }
  if (c.field === 'online') {
    return (
      <Select
        aria-label={`${label} value`}
        {...link}
        className="block w-full"
        value={c.value || 'true'}
        onChange={(e) => onChange({ ...c, value: e.target.value })}
      >
        <option value="true">Online now</option>
        <option value="false">Offline</option>
      </Select>
    );
  }
  const input = (
    <Input
      aria-label={`${label} value`}
      {...link}
      className="block w-full"
      inputMode={numericFields.includes(c.field) ? 'numeric' : undefined}
      value={c.value}
      placeholder={placeholders[c.field]}
      onChange={(e) => onChange({ ...c, value: e.target.value })}
    />
  );
  if (c.field !== 'software' && c.field !== 'notSoftware') return input;
  // A package: its name, then optionally a version comparison ("with version < 3.0").
  return (
    <div className="grid grid-cols-[1fr_8rem_1fr] gap-2">
      {input}
      <Select aria-label={`${label} version operator`} className="block w-full" value={c.op} onChange={(e) => onChange({ ...c, op: e.target.value })}>
        {versionOps.map(([op, text]) => (
          <option key={op} value={op}>
            {text}
          </option>
        ))}
      </Select>
      {c.op ? (
        <Input
          aria-label={`${label} version`}
          {...versionLink}
          className="block w-full"
          value={c.version}
          placeholder="1:2.3-1"
          onChange={(e) => onChange({ ...c, version: e.target.value })}
        />
      ) : (
        <span />
      )}
    </div>
  );
}

/** Picks one device by name for a direct membership rule. */
function DevicePicker({
  rule,
  onChange,
  label,
  link,
}: {
  rule: Extract<RuleDraft, { kind: 'DIRECT' }>;
  onChange: (r: RuleDraft) => void;
  label: string;
  link: ErrorLink;
}) {
  const [text, setText] = useState(rule.deviceName);
  const search = useDebouncedValue(text.trim());
  const matches = useQuery({
    queryKey: ['devices', { search, pageSize: 8, picker: true }],
    queryFn: ({ signal }) =>
      api<DevicePage>(`/api/devices?${new URLSearchParams({ search, pageSize: '10', sort: 'name', dir: 'asc', page: '1' })}`, { signal }),
    enabled: search.length > 0 && search !== rule.deviceName,
  });
  return (
    <div className="relative">
      <Input
        aria-label={label}
        {...link}
        className="block w-full"
        value={text}
        placeholder="Device name"
        onChange={(e) => {
          setText(e.target.value);
          onChange({ ...rule, deviceId: null, deviceName: '' });
        }}
      />
      {matches.data && search !== rule.deviceName && (
        <ul
          role="listbox"
          aria-label="Matching devices"
          className="absolute z-10 mt-1 max-h-48 w-full overflow-auto rounded border border-slate-200 bg-white text-sm shadow"
        >
          {matches.data.rows.map((d) => (
            <li key={d.id} role="option" aria-selected={false}>
              <button
                type="button"
                className="block w-full px-2 py-1 text-left hover:bg-blue-50"
                onClick={() => {
                  setText(d.name);
                  onChange({ ...rule, deviceId: d.id, deviceName: d.name });
                }}
              >
                {d.name}{' '}
                <span className="text-xs text-slate-500">
                  {d.osName} · {d.ipAddress ?? ''}
                </span>
              </button>
            </li>
          ))}
          {matches.data.rows.length === 0 && <li className="px-2 py-1 text-slate-500">No device matches.</li>}
        </ul>
      )}
    </div>
  );
}

function RuleEditor({
  rule,
  index,
  collections,
  error,
  onChange,
  onRemove,
}: {
  rule: RuleDraft;
  index: number;
  collections: CollectionRow[];
  error: ApiError | null;
  onChange: (r: RuleDraft) => void;
  onRemove: () => void;
}) {
  const fieldError = (path: string) => error?.fields.find((f) => f.path === `rules.${index}${path}` || f.path.startsWith(`rules.${index}${path}.`));
  const message = (path: string) => fieldError(path)?.message;
  const fieldPath = (path: string) => fieldError(path)?.path;
  const titles = { QUERY: 'Query rule', DIRECT: 'Direct member', INCLUDE: 'Include collection', EXCLUDE: 'Exclude collection' };
  const errorId = `${useId()}-error`;
  return (
    <fieldset className="space-y-2 rounded border border-slate-200 bg-slate-50 p-2" aria-label={`Rule ${index + 1}`}>
      <div className="flex items-center gap-2 text-xs font-semibold uppercase text-slate-500">
        {titles[rule.kind]}
        <Button size="xs" className="ml-auto normal-case" onClick={onRemove}>
          Remove rule {index + 1}
        </Button>
      </div>
      {rule.kind === 'QUERY' && (
        <>
          <label className="flex items-center gap-2 text-xs text-slate-600">
            Devices matching
            <Select
              aria-label={`Rule ${index + 1} match`}
              controlSize="xs"
              value={rule.match}
              onChange={(e) => onChange({ ...rule, match: e.target.value as 'all' | 'any' })}
            >
              <option value="all">all conditions</option>
              <option value="any">any condition</option>
            </Select>
          </label>
          {rule.conditions.map((c, ci) => {
            const label = `Rule ${index + 1} condition ${ci + 1}`;
            const set = (next: ConditionDraft) => onChange({ ...rule, conditions: rule.conditions.map((x, i) => (i === ci ? next : x)) });
            const problemPath = fieldPath(`.query.conditions.${ci}`);
            const problem = message(`.query.conditions.${ci}`);
            const conditionErrorId = `${errorId}-${ci}`;
            const onVersion = problemPath?.includes('.version') ?? false;
            const ops = operators[c.field];
            return (
              <div key={ci} className="grid grid-cols-[12rem_8rem_1fr_auto] items-start gap-2">
                <Select
                  aria-label={`${label} property`}
                  className="block w-full"
                  value={c.field}
                  onChange={(e) => set(conditionFor(e.target.value as Field))}
                >
                  {(Object.keys(fieldLabels) as Field[]).map((f) => (
                    <option key={f} value={f}>
                      {fieldLabels[f]}
                    </option>
                  ))}
                </Select>
                {ops ? (
                  <Select aria-label={`${label} operator`} className="block w-full" value={c.op} onChange={(e) => set({ ...c, op: e.target.value })}>
                    {ops.map(([op, text]) => (
                      <option key={op} value={op}>
                        {text}
                      </option>
                    ))}
                  </Select>
                ) : (
                  <span />
                )}
                <div>
                  <ValueInput
                    c={c}
                    onChange={set}
                    label={label}
                    link={errorLink(conditionErrorId, onVersion ? undefined : problem)}
                    versionLink={errorLink(conditionErrorId, onVersion ? problem : undefined)}
                  />
                  {problem && (
                    <span id={conditionErrorId} role="alert" className={fieldErrorClass}>
                      {fieldLabels[c.field]}: {problem}
                    </span>
                  )}
                </div>
                <Button
                  size="xs"
                  disabled={rule.conditions.length === 1}
                  onClick={() => onChange({ ...rule, conditions: rule.conditions.filter((_, i) => i !== ci) })}
                >
                  Remove
                </Button>
              </div>
            );
          })}
          <Button size="xs" onClick={() => onChange({ ...rule, conditions: [...rule.conditions, newCondition()] })}>
            Add condition
          </Button>
        </>
      )}
      {rule.kind === 'DIRECT' && (
        <>
          <DevicePicker rule={rule} onChange={onChange} label={`Rule ${index + 1} device`} link={errorLink(errorId, message('.deviceId'))} />
          {message('.deviceId') && (
            <span id={errorId} role="alert" className={fieldErrorClass}>
              Device: {message('.deviceId')}
            </span>
          )}
        </>
      )}
      {(rule.kind === 'INCLUDE' || rule.kind === 'EXCLUDE') && (
        <>
          <Select
            aria-label={`Rule ${index + 1} collection`}
            {...errorLink(errorId, message('.collectionId'))}
            className="block w-full"
            value={rule.collectionId ?? ''}
            onChange={(e) => onChange({ ...rule, collectionId: Number(e.target.value) || null })}
          >
            <option value="">Choose a collection…</option>
            {collections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </Select>
          {message('.collectionId') && (
            <span id={errorId} role="alert" className={fieldErrorClass}>
              Collection: {message('.collectionId')}
            </span>
          )}
        </>
      )}
    </fieldset>
  );
}

/**
 * Create or edit a collection: name, limiting collection, refresh interval, and its rules (query
 * conditions on device properties, direct members, included and excluded collections), with a
 * preview of the members the rules give before saving. The server refuses cycles with a message
 * naming them, shown under the rule.
 */
export function CollectionForm({
  detail,
  collections,
  onSaved,
  onCancel,
}: {
  detail?: CollectionDetail;
  collections: CollectionRow[];
  onSaved: (id: number) => void;
  onCancel: () => void;
}) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(detail?.name ?? '');
  const [comment, setComment] = useState(detail?.comment ?? '');
  const [limiting, setLimiting] = useState<number | null>(detail?.limitingCollectionId ?? null);
  const [refresh, setRefresh] = useState(String(detail?.refreshMinutes ?? 60));
  const [rules, setRules] = useState<RuleDraft[]>(() => (detail ? rulesFromDetail(detail) : [newRule('QUERY')]));
  const [error, setError] = useState<ApiError | null>(null);
  const [preview, setPreview] = useState<CollectionPreview | null>(null);
  // The version the form was opened on, kept when the detail is read again: a save made meanwhile by someone else is not overwritten.
  const [baseUpdatedAt] = useState(detail?.updatedAt);
  const others = collections.filter((c) => c.id !== detail?.id);
  const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', 'The request failed.'));

  const previewMutation = useMutation({
    mutationFn: () =>
      api<CollectionPreview>('/api/collections/preview', {
        method: 'POST',
        body: { id: detail?.id ?? null, limitingCollectionId: limiting, rules: rulesToApi(rules) },
      }),
    onSuccess: (p) => {
      setError(null);
      setPreview(p);
    },
    onError: (e) => {
      setPreview(null);
      setError(asError(e));
    },
  });
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name,
        comment,
        limitingCollectionId: limiting,
        refreshMinutes: refresh.trim() === '' ? Number.NaN : Number(refresh),
        rules: rulesToApi(rules),
      };
      return detail
        ? api<{ id: number }>(`/api/collections/${detail.id}`, { method: 'PATCH', body: { ...body, baseUpdatedAt } })
        : api<{ id: number }>('/api/collections', { method: 'POST', body });
    },
    onSuccess: (r) => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: ['collections'] });
      void queryClient.invalidateQueries({ queryKey: ['collection', r.id] });
      void queryClient.invalidateQueries({ queryKey: ['devices'] });
      onSaved(r.id);
    },
    onError: (e) => setError(asError(e)),
  });
  const fieldMessage = (path: string) => error?.fieldMessage(path);

  return (
    <form
      aria-label={detail ? `Edit ${detail.name}` : 'New collection'}
      noValidate
      className="space-y-3 rounded border border-slate-200 bg-white p-3"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="grid grid-cols-4 gap-3">
        <FormField label="Name" error={fieldMessage('name')} path="name">
          {(control) => <Input {...control} className="block w-full" value={name} onChange={(e) => setName(e.target.value)} />}
        </FormField>
        <FormField
          label="Limiting collection"
          errorName="Limiting collection:"
          error={fieldMessage('limitingCollectionId')}
          path="limitingCollectionId"
        >
          {(control) => (
            <Select {...control} className="block w-full" value={limiting ?? ''} onChange={(e) => setLimiting(Number(e.target.value) || null)}>
              <option value="">None</option>
              {others.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        <FormField label="Evaluate every (minutes)" errorName="Interval" error={fieldMessage('refreshMinutes')} path="refreshMinutes">
          {(control) => (
            <Input {...control} className="block w-full" inputMode="numeric" value={refresh} onChange={(e) => setRefresh(e.target.value)} />
          )}
        </FormField>
        <FormField label="Comment" error={fieldMessage('comment')} path="comment">
          {(control) => <Input {...control} className="block w-full" value={comment} onChange={(e) => setComment(e.target.value)} />}
        </FormField>
      </div>
      <div className="space-y-2">
        <h3 className="text-xs font-semibold uppercase text-slate-500">Membership rules</h3>
        {rules.map((r, i) => (
          <RuleEditor
            key={r.key}
            rule={r}
            index={i}
            collections={others}
            error={error}
            onChange={(next) => setRules((list) => list.map((x) => (x.key === r.key ? next : x)))}
            onRemove={() => setRules((list) => list.filter((x) => x.key !== r.key))}
          />
        ))}
        {rules.length === 0 && <p className="text-sm text-slate-500">No rules: the collection will have no members.</p>}
        <div className="flex gap-2">
          <Button size="xs" onClick={() => setRules((l) => [...l, newRule('QUERY')])}>
            Add query rule
          </Button>
          <Button size="xs" onClick={() => setRules((l) => [...l, newRule('DIRECT')])}>
            Add direct member
          </Button>
          <Button size="xs" onClick={() => setRules((l) => [...l, newRule('INCLUDE')])}>
            Include collection
          </Button>
          <Button size="xs" onClick={() => setRules((l) => [...l, newRule('EXCLUDE')])}>
            Exclude collection
          </Button>
        </div>
      </div>
      <div className="flex items-center gap-2">
        <Button type="submit" disabled={save.isPending} variant="primary">
          {detail ? 'Save collection' : 'Create collection'}
        </Button>
        <Button disabled={previewMutation.isPending} onClick={() => previewMutation.mutate()}>
          Preview members
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
        <FormAlert error={error} shownAt={(path) => formPaths.includes(path) || ruleFieldPath.test(path)} />
      </div>
      {preview && (
        <div role="status" aria-label="Member preview" className="rounded border border-blue-200 bg-blue-50 p-2 text-sm">
          <p>
            <strong data-testid="preview-count">{preview.count.toLocaleString()}</strong> devices would be members
            {preview.count > preview.sample.length ? ` (first ${preview.sample.length} shown)` : ''}.
          </p>
          {preview.sample.length > 0 && (
            <ul className="mt-1 columns-3 text-xs text-slate-700">
              {preview.sample.map((d) => (
                <li key={d.id}>
                  {d.name}{' '}
                  <span className="text-slate-500">
                    {d.siteCode} · {d.ipAddress ?? ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
