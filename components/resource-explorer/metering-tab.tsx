'use client';

import Link from 'next/link';
import { CsvLink } from '@/components/ui/csv-link';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { runLength } from '@/lib/metering/run-length';
import { useDeviceMeteringQuery, type DeviceMetering } from './use-resource-explorer';

// A run log reads best with the moment each run started ("Dec 7, 05:53:06"), in the viewer's time zone.
const startFormat = new Intl.DateTimeFormat('en', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** A rule's product, opening its report; a deleted rule's history is still shown, by number. */
function Product({ ruleId, productName }: { ruleId: number; productName: string | null }) {
  if (productName === null) return <span className="text-slate-500">rule {ruleId} (deleted)</span>;
  return (
    <Link className="text-sky-700 hover:underline" href={`/assets/software-metering/${ruleId}`}>
      {productName}
    </Link>
  );
}

function Programs({ programs }: { programs: DeviceMetering['programs'] }) {
  return (
    <section aria-labelledby="metered-programs" className="space-y-1">
      <h3 id="metered-programs" className="text-sm font-semibold text-slate-800">
        Metered programs it ran <span className="font-normal text-slate-500">({programs.length})</span>
      </h3>
      <Table className="max-w-4xl">
        <THead>
          <tr>
            <Th>Product</Th>
            <Th>Last run</Th>
            <Th>By</Th>
            <Th className="text-right">Runs</Th>
          </tr>
        </THead>
        <TBody>
          {programs.map((p) => (
            <tr key={p.ruleId} data-testid="metered-program">
              <Td>
                <Product ruleId={p.ruleId} productName={p.productName} />
              </Td>
              <Td>
                <RelativeTime iso={p.lastRunAt} />
              </Td>
              <Td>{p.lastUser}</Td>
              <Td className="text-right tabular-nums">{p.runCount}</Td>
            </tr>
          ))}
        </TBody>
      </Table>
    </section>
  );
}

function RecentRuns({ deviceId, runs }: { deviceId: number; runs: DeviceMetering['recentRuns'] }) {
  return (
    <section aria-labelledby="metered-runs" className="space-y-1">
      <div className="flex items-center gap-2">
        <h3 id="metered-runs" className="text-sm font-semibold text-slate-800">
          Latest runs <span className="font-normal text-slate-500">({runs.length})</span>
        </h3>
        <CsvLink href={`/api/devices/${deviceId}/metering/runs.csv`} label="All runs as CSV" />
      </div>
      <p className="text-xs text-slate-500">Raw runs are kept for the raw usage retention of the site settings; the counts above stay.</p>
      <Table>
        <THead>
          <tr>
            <Th>Product</Th>
            <Th>Started</Th>
            <Th className="text-right">Ran for</Th>
            <Th>User</Th>
            <Th className="text-right">Process</Th>
            <Th>File</Th>
          </tr>
        </THead>
        <TBody>
          {runs.map((r) => (
            <tr key={`${r.startedAt}/${r.processId}/${r.ruleId}`} data-testid="metered-run">
              <Td>
                <Product ruleId={r.ruleId} productName={r.productName} />
              </Td>
              <Td className="whitespace-nowrap tabular-nums">
                <time dateTime={r.startedAt} suppressHydrationWarning>
                  {startFormat.format(new Date(r.startedAt))}
                </time>
              </Td>
              <Td
                className="text-right tabular-nums"
                title={r.endEstimated ? 'The agent was not running when it ended: ended at the last time it was seen.' : undefined}
              >
                {r.endEstimated ? 'about ' : ''}
                {runLength((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000)}
              </Td>
              <Td>{r.userName}</Td>
              <Td className="text-right tabular-nums">{r.processId}</Td>
              <Td className="break-all font-mono text-xs">
                {r.filePath}
                {r.fileVersion && <span className="text-slate-500"> ({r.fileVersion})</span>}
              </Td>
            </tr>
          ))}
        </TBody>
      </Table>
    </section>
  );
}

/** Resource Explorer's Metered software tab: what software metering recorded on this device. */
export function MeteringTab({ deviceId }: { deviceId: number }) {
  const query = useDeviceMeteringQuery(deviceId);
  if (query.isError) return <p className="text-sm text-red-700">Metered software could not be read: {query.error.message}</p>;
  const data = query.data;
  if (!data) return <p className="text-sm text-slate-500">Loading…</p>;
  if (!data.programs.length && !data.recentRuns.length) {
    return (
      <p data-testid="no-metered-runs" className="text-sm text-slate-600">
        No metered program has run here. Software metering records the programs its rules name (Assets → Software Metering).
      </p>
    );
  }
  return (
    <div className="space-y-4">
      <Programs programs={data.programs} />
      {data.recentRuns.length > 0 && <RecentRuns deviceId={deviceId} runs={data.recentRuns} />}
    </div>
  );
}
