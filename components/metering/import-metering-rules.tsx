'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormField } from '@/components/ui/form-field';
import { Textarea } from '@/components/ui/input';
import { api, ApiError } from '@/lib/client/api';
import { readTextFile } from '@/lib/client/read-text-file';
import type { ImportProblem } from '@/lib/metering/parse-rules-csv';
import { meteringRulesKey } from './use-metering-rules';

/** Bulk import: paste or choose a CSV file; the good rows are stored, each refused row is listed with its line. */
export function ImportMeteringRules({ defaultSiteCode, onDone }: { defaultSiteCode: string; onDone: () => void }) {
  const queryClient = useQueryClient();
  const [csv, setCsv] = useState('');
  const run = useMutation({
    mutationFn: () =>
      // The site answers the first 1,000 refused rows and how many there were.
      api<{ imported: number; refused: ImportProblem[]; refusedCount: number }>('/api/metering-rules/import', {
        method: 'POST',
        body: { csv, siteCode: defaultSiteCode },
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: meteringRulesKey }),
  });
  return (
    <section aria-label="Import rules" className="space-y-3 rounded border border-blue-200 bg-white p-4">
      <h2 className="text-sm font-semibold text-slate-900">Import rules from CSV</h2>
      <FormField
        label="CSV"
        hint={`First row: Product Name, File Name, Original File Name, Version, Site, Comment, Enabled, separated by commas, semicolons or tabs. Rows without a site go to ${defaultSiteCode}.`}
        error={run.error instanceof ApiError ? run.error.fieldMessage('csv') : undefined}
        path="csv"
      >
        {(props) => (
          <Textarea {...props} rows={6} value={csv} onChange={(e) => setCsv(e.target.value)} className="mt-0.5 block w-full font-mono text-xs" />
        )}
      </FormField>
      <input
        type="file"
        accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values"
        aria-label="CSV file"
        className="text-xs"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void readTextFile(file).then(setCsv);
        }}
      />
      <div className="flex gap-2">
        <Button variant="primary" disabled={!csv.trim() || run.isPending} onClick={() => run.mutate()}>
          Import
        </Button>
        <Button onClick={onDone}>Close</Button>
      </div>
      {run.error && !(run.error instanceof ApiError && run.error.fieldMessage('csv')) && (
        <p role="alert" className="text-sm text-red-700">
          {run.error.message}
        </p>
      )}
      {run.data && (
        <div role="status" className="space-y-1 text-sm">
          <p>
            Imported {run.data.imported} {run.data.imported === 1 ? 'rule' : 'rules'}; refused {run.data.refusedCount}.
          </p>
          {run.data.refused.length > 0 && (
            <ul className="list-disc pl-5 text-red-700" aria-label="Refused rows">
              {run.data.refused.map((p, i) => (
                <li key={i}>
                  Line {p.line}: {p.field} {p.message}
                </li>
              ))}
            </ul>
          )}
          {run.data.refusedCount > run.data.refused.length && (
            <p className="text-red-700">… and {run.data.refusedCount - run.data.refused.length} more refused rows.</p>
          )}
        </div>
      )}
    </section>
  );
}
