'use client';

import type { StatusMessageView } from '@/lib/status-viewer/status-message-filters.schema';
import { formatTimeWithZone, SeverityLabel, sourceLabels, typeLabels } from './status-message-list';

/**
 * Everything about the selected message: its description with the insertion strings in place,
 * every header field, the insertion strings and every property. All of it is client-supplied
 * text and is rendered as text.
 */
export function StatusMessageDetails({ message }: { message: StatusMessageView | null }) {
  if (!message) {
    return <p className="rounded border border-dashed border-slate-300 bg-white p-3 text-sm text-slate-500">Select a message to see its details.</p>;
  }
  const fields: [string, React.ReactNode][] = [
    ['Severity', <SeverityLabel key="s" severity={message.severity} />],
    ['Type', typeLabels[message.type] ?? message.type],
    ['Source', sourceLabels[message.source] ?? message.source],
    ['Message ID', message.messageId],
    ['Site code', message.siteCode],
    ['System', message.systemName],
    ['Component', message.component],
    ['Received', formatTimeWithZone(message.receivedAt)],
    ['Time at source', formatTimeWithZone(message.sourceTime)],
    ['Process ID', message.processId ?? '—'],
    ['Thread ID', message.threadId ?? '—'],
    ['Kept until', formatTimeWithZone(message.expiresAt)],
    ['Record', message.id],
    [
      'Unique id',
      <span key="u" className="font-mono text-xs">
        {message.uid}
      </span>,
    ],
  ];
  const properties = Object.entries(message.properties);
  return (
    <section
      aria-label="Message details"
      data-testid="status-message-details"
      className="grid grid-cols-[minmax(0,3fr)_minmax(0,2fr)] gap-4 rounded border border-slate-200 bg-white p-3 text-sm xl:grid-cols-[minmax(0,3fr)_minmax(0,1fr)]"
    >
      <div className="space-y-3">
        <div>
          <h2 className="text-xs font-semibold uppercase text-slate-500">Description</h2>
          <p data-testid="status-message-description" className="mt-1 whitespace-pre-wrap break-words text-slate-900">
            {message.description}
          </p>
        </div>
        {/* Three label-value pairs a row where the width allows, so the pane fits beside the list at 1280x800. */}
        <dl className="grid grid-cols-[7rem_minmax(0,1fr)_7rem_minmax(0,1fr)] gap-x-3 gap-y-0.5 text-[13px] xl:grid-cols-[max-content_minmax(0,1fr)_max-content_minmax(0,1fr)_max-content_minmax(0,1fr)]">
          {fields.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-500">{label}</dt>
              <dd className="truncate text-slate-900" title={typeof value === 'string' || typeof value === 'number' ? String(value) : undefined}>
                {value}
              </dd>
            </div>
          ))}
        </dl>
      </div>
      <div className="space-y-3">
        <div>
          <h2 className="text-xs font-semibold uppercase text-slate-500">Properties</h2>
          {properties.length ? (
            <table className="mt-1 w-full text-[13px]" data-testid="status-message-properties">
              <tbody>
                {properties.map(([name, value]) => (
                  <tr key={name} className="border-b border-slate-100 align-top">
                    <th scope="row" className="w-2/5 py-0.5 pr-2 text-left font-medium text-slate-600">
                      {name}
                    </th>
                    <td className="break-all py-0.5">{value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="mt-1 text-[13px] text-slate-500">None</p>
          )}
        </div>
        <div>
          <h2 className="text-xs font-semibold uppercase text-slate-500">Insertion strings</h2>
          {message.insertionStrings.length ? (
            <ol className="mt-1 space-y-0.5 text-[13px]" data-testid="status-message-insertion-strings">
              {message.insertionStrings.map((s, i) => (
                <li key={i} className="flex gap-2">
                  <span className="w-8 shrink-0 text-slate-500">%{i + 1}</span>
                  <bdi className="break-all font-mono text-xs">{s}</bdi>
                </li>
              ))}
            </ol>
          ) : (
            <p className="mt-1 text-[13px] text-slate-500">None</p>
          )}
        </div>
      </div>
    </section>
  );
}
