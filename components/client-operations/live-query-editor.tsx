'use client';

import { useMutation } from '@tanstack/react-query';
import { useId } from 'react';
import { Button } from '@/components/ui/button';
import { Textarea } from '@/components/ui/input';
import { api, ApiError } from '@/lib/client/api';
import { liveQueryEntities } from '@/lib/live-query/entities';

interface ProblemPosition {
  offset: number;
  line: number;
  column: number;
  length: number;
}

/** Where the server says a query goes wrong, from a 400's details. */
export function queryProblem(error: unknown): { message: string; position: ProblemPosition | null } | null {
  if (!(error instanceof ApiError) || error.status !== 400) return null;
  const field = error.fields.find((f) => f.path === 'query' || f.path === 'liveQuery.query');
  if (!field) return null;
  const position = (error.details as { position?: ProblemPosition } | undefined)?.position ?? null;
  return { message: field.message, position };
}

/** The offending line of the query with a caret under the problem, as a compiler would show it. */
function Pointer({ text, position }: { text: string; position: ProblemPosition }) {
  const line = text.split('\n')[position.line - 1] ?? '';
  return (
    <pre data-testid="query-problem-pointer" className="mt-1 overflow-x-auto rounded bg-red-50 px-2 py-1 font-mono text-xs text-red-800">
      {line}
      {'\n'}
      {' '.repeat(Math.max(0, position.column - 1))}
      {'^'.repeat(Math.max(1, Math.min(position.length, line.length - position.column + 1)))}
    </pre>
  );
}

/**
 * A live query's text: typed, checked by the server on demand (and again when the operation
 * starts), with the problem shown at its line and column. The entities and their columns are listed
 * for reference.
 */
export function LiveQueryEditor({ value, onChange, startError }: { value: string; onChange: (text: string) => void; startError: unknown }) {
  const helpId = `${useId()}-help`;
  const check = useMutation({
    mutationFn: (query: string) => api<{ entity: string }>('/api/live-queries/validate', { method: 'POST', body: { query } }),
  });
  const problem = queryProblem(check.error) ?? queryProblem(startError);
  return (
    <div className="flex w-full flex-col gap-1 text-xs text-slate-600">
      <label className="flex flex-col">
        Query
        <Textarea
          aria-label="Query"
          aria-invalid={problem ? true : undefined}
          aria-describedby={helpId}
          className="h-20 w-full font-mono"
          spellCheck={false}
          placeholder='packages | where name = "openssl" | summarize count() by version'
          value={value}
          onChange={(e) => (onChange(e.target.value), check.reset())}
        />
      </label>
      <div className="flex items-center gap-2">
        <Button size="sm" disabled={!value.trim() || check.isPending} onClick={() => check.mutate(value)}>
          Check query
        </Button>
        {check.isSuccess && (
          <span role="status" className="text-green-700">
            The query is valid: {check.data.entity.toLowerCase()}.
          </span>
        )}
      </div>
      {problem && (
        <div role="alert" className="text-red-700">
          {problem.message}
          {problem.position && <Pointer text={value} position={problem.position} />}
        </div>
      )}
      <details id={helpId} className="text-slate-500">
        <summary className="cursor-pointer">Entities and columns</summary>
        <p>
          An entity, then stages after <code>|</code>: <code>where</code>, <code>project</code>, <code>summarize count() by …</code>,{' '}
          <code>order by … desc</code>, <code>take N</code>.
        </p>
        <ul className="font-mono">
          {Object.entries(liveQueryEntities).map(([name, e]) => (
            <li key={name}>
              {name}
              {e.argument ? '("/path")' : ''}: {Object.keys(e.columns).join(', ')}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
