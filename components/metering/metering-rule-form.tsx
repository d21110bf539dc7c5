'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { api, ApiError, type FieldError } from '@/lib/client/api';
import { meteringRuleInputSchema, type MeteringRule, type MeteringRuleInput } from '@/lib/metering/metering-rule.schema';
import { meteringRulesKey } from './use-metering-rules';

type Draft = Record<'productName' | 'fileName' | 'originalFileName' | 'version' | 'siteCode' | 'comment', string> & { enabled: boolean };

const draftOf = (rule: MeteringRule | null, siteCode: string): Draft => ({
  productName: rule?.productName ?? '',
  fileName: rule?.fileName ?? '',
  originalFileName: rule?.originalFileName ?? '',
  version: rule?.version ?? '*',
  siteCode: rule?.siteCode ?? siteCode,
  comment: rule?.comment ?? '',
  enabled: rule?.enabled ?? true,
});

const fields: { key: keyof Omit<Draft, 'enabled'>; label: string; hint?: string }[] = [
  { key: 'productName', label: 'Product name' },
  { key: 'fileName', label: 'File name', hint: 'An executable name (firefox) or an absolute path pattern (/opt/*/bin/code)' },
  { key: 'originalFileName', label: 'Original file name', hint: 'Where the platform records one; empty matches any' },
  { key: 'version', label: 'Version', hint: 'Wildcards * and ?; * matches any version' },
  { key: 'siteCode', label: 'Site code' },
  { key: 'comment', label: 'Comment' },
];

/** Create or edit a software metering rule, validated in the browser with the API's own schema. */
export function MeteringRuleForm({ rule, defaultSiteCode, onDone }: { rule: MeteringRule | null; defaultSiteCode: string; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule, defaultSiteCode));
  const [errors, setErrors] = useState<FieldError[]>([]);
  // The version the form was opened on: a change made meanwhile by someone else is not overwritten.
  const [baseUpdatedAt] = useState(rule?.updatedAt);
  const save = useMutation({
    mutationFn: (input: MeteringRuleInput) =>
      rule
        ? api<MeteringRule>(`/api/metering-rules/${rule.id}`, { method: 'PATCH', body: { ...input, baseUpdatedAt } })
        : api<MeteringRule>('/api/metering-rules', { method: 'POST', body: input }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: meteringRulesKey });
      onDone();
    },
    onError: (e) => setErrors(e instanceof ApiError ? e.fields : []),
  });
  const messageFor = (path: string) => errors.find((e) => e.path === path)?.message;
  return (
    <form
      aria-label={rule ? `Edit rule ${rule.productName}` : 'New software metering rule'}
      noValidate
      className="space-y-3 rounded border border-blue-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        const parsed = meteringRuleInputSchema.safeParse(draft);
        if (!parsed.success) {
          setErrors(parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
          return;
        }
        setErrors([]);
        save.mutate(parsed.data);
      }}
    >
      <h2 className="text-sm font-semibold text-slate-900">{rule ? `Edit "${rule.productName}"` : 'New software metering rule'}</h2>
      <div className="grid grid-cols-2 gap-3">
        {fields.map(({ key, label, hint }) => (
          <FormField key={key} label={label} hint={hint} error={messageFor(key)} path={key}>
            {(props) => (
              <Input
                {...props}
                value={draft[key]}
                onChange={(e) => setDraft((d) => ({ ...d, [key]: e.target.value }))}
                className="mt-0.5 block w-full"
              />
            )}
          </FormField>
        ))}
      </div>
      <label className="flex items-center gap-2 text-sm text-slate-800">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => setDraft((d) => ({ ...d, enabled: e.target.checked }))} />
        Enabled
      </label>
      <FormAlert error={save.error instanceof ApiError ? save.error : null} shownAt={(path) => fields.some((f) => f.key === path)} />
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {rule ? 'Save' : 'Create'}
        </Button>
        <Button type="button" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
