'use client';

import type { ActionResultDetail } from '@/lib/protocol/agent-protocol.schema';
import { pluralWord } from '@/lib/plural';
import { useScriptOutputGroupsQuery } from './use-client-operations';

type ScriptResult = NonNullable<ActionResultDetail['script']>;

function Stream({ label, text, truncated }: { label: string; text: string; truncated: boolean }) {
  if (!text && !truncated) return null;
  return (
    <div>
      <span className="text-[11px] font-medium text-slate-500">{label}</span>
      <pre className="max-h-48 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-50 p-1 font-mono text-xs text-slate-800">{text}</pre>
      {truncated && <span className="text-[11px] text-amber-700">Truncated at 64 KB.</span>}
    </div>
  );
}

/** One device's script result: exit code (or timeout) and its two streams, truncation shown. */
export function ScriptOutput({ result }: { result: ScriptResult }) {
  return (
    <details className="mt-1 text-xs">
      <summary className="cursor-pointer">
        {result.timedOut ? 'Timed out' : result.exitCode === null ? `Killed by ${result.signal ?? 'a signal'}` : `Exit code ${result.exitCode}`}
        {(result.stdoutTruncated || result.stderrTruncated) && ' · output truncated'}
      </summary>
      <Stream label="stdout" text={result.stdout} truncated={result.stdoutTruncated} />
      <Stream label="stderr" text={result.stderr} truncated={result.stderrTruncated} />
    </details>
  );
}

/** A Run Script operation's identical outputs grouped, most devices first, with the CSV of every device's result. */
export function ScriptOutputGroups({ operationId }: { operationId: number }) {
  const groups = useScriptOutputGroupsQuery(operationId, true);
  return (
    <section aria-label="Outputs grouped" className="mt-4 rounded border border-slate-200">
      <header className="flex items-center justify-between border-b border-slate-200 bg-slate-50 px-3 py-2 text-sm">
        <h2 className="font-medium text-slate-900">Identical outputs</h2>
        <a className="text-xs text-blue-700 hover:underline" href={`/api/client-operations/${operationId}/script-results.csv`}>
          Export CSV
        </a>
      </header>
      <ul className="divide-y divide-slate-100 text-sm">
        {groups.data?.groups.map((g, i) => (
          <li key={i} className="px-3 py-2" data-testid="output-group">
            <div>
              <strong data-testid="group-devices">{g.devices.toLocaleString()}</strong> {pluralWord(g.devices, 'device')} ·{' '}
              {g.timedOut ? 'timed out' : g.exitCode === null ? g.outcome.toLowerCase() : `exit code ${g.exitCode}`}
              <span className="ml-2 text-xs text-slate-500">
                {g.sampleDevices.join(', ')}
                {g.devices > g.sampleDevices.length ? ', …' : ''}
              </span>
            </div>
            <Stream label="stdout" text={g.stdout} truncated={g.stdoutTruncated} />
            <Stream label="stderr" text={g.stderr} truncated={g.stderrTruncated} />
          </li>
        ))}
        {groups.data?.groups.length === 0 && <li className="px-3 py-2 text-slate-500">No results yet.</li>}
      </ul>
    </section>
  );
}
