'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { CsvLink } from '@/components/ui/csv-link';
import { FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { meteringUnusedQuerySchema } from '@/lib/metering/metering-report.schema';
import { runningNowQuery } from '@/lib/metering/running-now-query';
import { plural } from '@/lib/plural';
import { TimeOfDayChart } from './time-of-day-chart';
import { atOnceTime, UsageChart } from './usage-chart';
import { useMeteringReportQuery, useUnusedComputersQuery, type MeteringReport } from './use-metering-report';

const monthLabel = (start: string) => new Date(`${start}T00:00:00Z`).toLocaleDateString('en', { month: 'short', year: 'numeric', timeZone: 'UTC' });
const dayLabel = (start: string) => new Date(`${start}T00:00:00Z`).toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
// Some run time, however little, never reads as none.
const hours = (seconds: number) => (seconds > 0 && seconds < 180 ? '< 0.1' : (seconds / 3600).toLocaleString('en', { maximumFractionDigits: 1 }));

function MonthTable({ months }: { months: MeteringReport['months'] }) {
  return (
    <Table>
      <THead>
        <tr>
          <Th>Month</Th>
          <Th className="text-right">Runs</Th>
          <Th className="text-right">Computers</Th>
          <Th className="text-right">Users</Th>
          <Th className="text-right">Hours</Th>
          <Th className="text-right" title="The most runs in progress at once, at the start of any minute of the month (UTC)">
            Most at once
          </Th>
        </tr>
      </THead>
      <TBody>
        {[...months].reverse().map((m) => (
          <tr key={m.start} data-testid={`usage-month-${m.start}`}>
            <Td>{monthLabel(m.start)}</Td>
            <Td className="text-right tabular-nums">{m.runCount}</Td>
            <Td className="text-right tabular-nums">{m.distinctComputers}</Td>
            <Td className="text-right tabular-nums">{m.distinctUsers}</Td>
            <Td className="text-right tabular-nums">{hours(m.runSeconds)}</Td>
            <Td className="text-right tabular-nums" title={atOnceTime(m.mostAtOnceAt)}>
              {m.mostAtOnce}
            </Td>
          </tr>
        ))}
      </TBody>
    </Table>
  );
}

/** Said under a list the page shows only the first rows of. */
function ShownOf({ shown, total }: { shown: number; total: number }) {
  if (shown >= total) return null;
  return (
    <p className="text-xs text-slate-500" data-testid="list-truncated">
      The first {shown} of {total} are shown; the CSV holds them all.
    </p>
  );
}

/** Computers of the site with the program installed (or run before) and not run in N days: licences to reclaim. */
function UnusedComputers({ ruleId }: { ruleId: number }) {
  const [text, setText] = useState('90');
  const [days, setDays] = useState(90);
  const [error, setError] = useState<string | undefined>();
  const query = useUnusedComputersQuery(ruleId, days);
  const apply = (event: React.FormEvent) => {
    event.preventDefault();
    const parsed = meteringUnusedQuerySchema.shape.days.safeParse(text.trim() === '' ? undefined : text);
    if (!parsed.success) return setError(parsed.error.issues[0].message);
    setError(undefined);
    setDays(parsed.data);
  };
  const data = query.data;
  return (
    <section aria-label="Not run in N days" className="space-y-2">
      <h2 className="text-sm font-semibold text-slate-700">Installed but not run</h2>
      <form onSubmit={apply} className="flex items-end gap-2" noValidate>
        <FormField label="Not run in (days)" errorName="Days" error={error} path="days">
          {(control) => <Input {...control} className="w-28" inputMode="numeric" value={text} onChange={(e) => setText(e.target.value)} />}
        </FormField>
        <Button type="submit">Show</Button>
      </form>
      {query.isError && <p className="text-sm text-red-700">{query.error.message}</p>}
      {data && (
        <>
          <div className="flex items-center gap-2">
            <p className="text-xs text-slate-600" data-testid="unused-summary">
              {plural(data.total, 'computer')} with {data.packageNames.join(' or ')} installed, or that ran it before, did not run it in the last{' '}
              {plural(data.days, 'day')}.
            </p>
            <CsvLink href={`/api/metering-rules/${ruleId}/unused.csv?days=${data.days}`} />
          </div>
          <ShownOf shown={data.computers.length} total={data.total} />
          <Table>
            <THead>
              <tr>
                <Th>Computer</Th>
                <Th>Installed package</Th>
                <Th>Last run</Th>
              </tr>
            </THead>
            <TBody>
              {data.computers.map((c) => (
                <tr key={c.deviceId} data-testid="unused-computer">
                  <Td>
                    <Link className="text-sky-700 hover:underline" href={`/assets/devices/${c.deviceId}`}>
                      {c.name}
                    </Link>
                  </Td>
                  <Td className="font-mono text-xs">{c.packageName ? `${c.packageName} ${c.packageVersion}` : '—'}</Td>
                  <Td>
                    <RelativeTime iso={c.lastRunAt} />
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        </>
      )}
    </section>
  );
}

/** A run counts once it has ended: who has the program open now is a live query to the clients (for those who may run one). */
function RunningNowLink({ fileName }: { fileName: string }) {
  const query = runningNowQuery({ fileName });
  if (!query) return null;
  return (
    <p className="text-xs text-slate-600">
      Open right now?{' '}
      <Link className="text-sky-700 hover:underline" href={`/monitoring/client-operations?liveQuery=${encodeURIComponent(query)}`}>
        Ask the clients with a live query
      </Link>{' '}
      (Client Operations, with the query filled in).
    </p>
  );
}

/** Whether the figures hold every run the site has received, or runs still wait to be counted. */
function SummarizerProgress({ progress }: { progress: MeteringReport['summarizer'] }) {
  if (progress.waiting === 0)
    return (
      <p className="text-xs text-slate-500" data-testid="summarizer-progress">
        Every run received for this rule is counted
        {progress.lastCountedAt && (
          <>
            {' '}
            (runs last counted <RelativeTime iso={progress.lastCountedAt} />)
          </>
        )}
        . A run is received once it has ended and its computer has uploaded it.
      </p>
    );
  return (
    <p className="rounded border border-amber-200 bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="summarizer-progress">
      {plural(progress.waiting, 'run')} received for this rule {progress.waiting === 1 ? 'waits' : 'wait'} to be counted
      {progress.oldestWaitingAt && (
        <>
          , the oldest since <RelativeTime iso={progress.oldestWaitingAt} />
        </>
      )}
      ; the figures below leave {progress.waiting === 1 ? 'it' : 'them'} out. If this lasts, see SMS_SOFTWARE_METERING_PROCESSOR under Component
      Status.
    </p>
  );
}

/** A software metering rule's report: usage over months and days, who ran it, and where it goes unused. */
export function MeteringReportView({ ruleId, canRunLiveQuery }: { ruleId: number; canRunLiveQuery: boolean }) {
  const query = useMeteringReportQuery(ruleId);
  if (query.isError) return <p className="text-sm text-red-700">The report could not be read: {query.error.message}</p>;
  const data = query.data;
  if (!data) return <p className="text-sm text-slate-500">Loading…</p>;
  const { rule } = data;
  return (
    <div className="space-y-6">
      <p className="text-sm text-slate-700">
        <span className="font-semibold">{rule.productName}</span> — <span className="font-mono text-xs">{rule.fileName}</span>, version{' '}
        <span className="font-mono text-xs">{rule.version}</span>, site {rule.siteCode}
        {!rule.enabled && <span className="ml-1 text-slate-500">(disabled)</span>}
      </p>
      <SummarizerProgress progress={data.summarizer} />
      {canRunLiveQuery && <RunningNowLink fileName={rule.fileName} />}
      <div className="grid gap-4 lg:grid-cols-2">
        <UsageChart title="Usage per month" points={data.months} label={monthLabel} />
        <UsageChart title="Usage per day, last 31 days" points={data.days} label={dayLabel} />
      </div>
      <TimeOfDayChart timeOfDay={data.timeOfDay} />
      <section aria-label="Usage per month" className="space-y-2">
        <div className="flex items-center gap-2">
          <h2 className="text-sm font-semibold text-slate-700">Usage per month</h2>
          <span className="ml-auto flex gap-1">
            <CsvLink href={`/api/metering-rules/${ruleId}/usage.csv?per=month&months=${data.months.length}`} label="Months CSV" />
            <CsvLink href={`/api/metering-rules/${ruleId}/usage.csv?per=day`} label="Days CSV" />
          </span>
        </div>
        <MonthTable months={data.months} />
      </section>
      <div className="grid gap-4 lg:grid-cols-2">
        <section aria-label="Computers that ran it" className="space-y-2">
          <div className="flex items-center gap-2">
            <h2 className="text-sm font-semibold text-slate-700">Computers that ran it ({data.computers.total})</h2>
            <CsvLink href={`/api/metering-rules/${ruleId}/computers.csv`} />
          </div>
          <ShownOf shown={data.computers.computers.length} total={data.computers.total} />
          <Table>
            <THead>
              <tr>
                <Th>Computer</Th>
                <Th>Last run</Th>
                <Th>By</Th>
                <Th className="text-right">Runs</Th>
              </tr>
            </THead>
            <TBody>
              {data.computers.computers.map((c) => (
                <tr key={c.deviceId} data-testid="ran-computer">
                  <Td>
                    {c.name === null ? (
                      `device ${c.deviceId} (removed)`
                    ) : (
                      <Link className="text-sky-700 hover:underline" href={`/assets/devices/${c.deviceId}?tab=metering`}>
                        {c.name}
                      </Link>
                    )}
                  </Td>
                  <Td>
                    <RelativeTime iso={c.lastRunAt} />
                  </Td>
                  <Td>{c.lastUser}</Td>
                  <Td className="text-right tabular-nums">{c.runCount}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
        </section>
        <section aria-label="Users who ran it" className="space-y-2">
          <div className="flex items-center gap-2">
            <h2 className="text-sm font-semibold text-slate-700">Users who ran it ({data.users.total})</h2>
            <CsvLink href={`/api/metering-rules/${ruleId}/users.csv`} />
          </div>
          <ShownOf shown={data.users.users.length} total={data.users.total} />
          <Table>
            <THead>
              <tr>
                <Th>User</Th>
                <Th>Last run</Th>
                <Th className="text-right">Runs</Th>
              </tr>
            </THead>
            <TBody>
              {data.users.users.map((u) => (
                <tr key={u.userName} data-testid="ran-user">
                  <Td>{u.userName}</Td>
                  <Td>
                    <RelativeTime iso={u.lastRunAt} />
                  </Td>
                  <Td className="text-right tabular-nums">{u.runCount}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
        </section>
      </div>
      <UnusedComputers ruleId={ruleId} />
    </div>
  );
}
