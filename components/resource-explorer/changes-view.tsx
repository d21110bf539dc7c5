'use client';

import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { hardwareClassLabel } from '@/lib/resource-explorer/hardware-labels';
import type { CollapsedChanges } from '@/lib/resource-explorer/resource-explorer.schema';

const changeLabels = { added: 'Added', removed: 'Removed', changed: 'Changed' } as const;

function Section({ title, count, testId, children }: { title: string; count: number; testId: string; children: React.ReactNode }) {
  if (!count) return null;
  return (
    <section data-testid={testId} aria-label={title}>
      <h4 className="mb-1 text-xs font-semibold uppercase text-slate-500">
        {title} ({count})
      </h4>
      {children}
    </section>
  );
}

/** Packages added, removed and upgraded, and hardware classes changed, as tables; "No changes" when there are none. */
export function ChangesView({ changes }: { changes: Pick<CollapsedChanges, 'hardware' | 'software'> }) {
  const { added, removed, upgraded } = changes.software;
  if (!added.length && !removed.length && !upgraded.length && !changes.hardware.length) {
    return <p className="text-sm text-slate-500">No changes.</p>;
  }
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Section title="Upgraded packages" count={upgraded.length} testId="changes-upgraded">
        <Table>
          <THead>
            <tr>
              <Th>Name</Th>
              <Th>Architecture</Th>
              <Th>From</Th>
              <Th>To</Th>
            </tr>
          </THead>
          <TBody>
            {upgraded.map((u) => (
              <tr key={`${u.name}/${u.arch}`}>
                <Td className="font-medium">{u.name}</Td>
                <Td>{u.arch}</Td>
                <Td className="tabular-nums">{u.from}</Td>
                <Td className="tabular-nums">{u.to}</Td>
              </tr>
            ))}
          </TBody>
        </Table>
      </Section>
      {(
        [
          ['Added packages', added, 'changes-added'],
          ['Removed packages', removed, 'changes-removed'],
        ] as const
      ).map(([title, list, testId]) => (
        <Section key={testId} title={title} count={list.length} testId={testId}>
          <Table>
            <THead>
              <tr>
                <Th>Name</Th>
                <Th>Version</Th>
                <Th>Architecture</Th>
              </tr>
            </THead>
            <TBody>
              {list.map((p) => (
                <tr key={`${p.name}/${p.version}/${p.arch}`}>
                  <Td className="font-medium">{p.name}</Td>
                  <Td className="tabular-nums">{p.version}</Td>
                  <Td>{p.arch}</Td>
                </tr>
              ))}
            </TBody>
          </Table>
        </Section>
      ))}
      <Section title="Hardware classes" count={changes.hardware.length} testId="changes-hardware">
        <Table>
          <THead>
            <tr>
              <Th>Class</Th>
              <Th>Change</Th>
              <Th>Instances</Th>
            </tr>
          </THead>
          <TBody>
            {changes.hardware.map((h) => (
              <tr key={h.className}>
                <Td className="font-medium">{hardwareClassLabel(h.className)}</Td>
                <Td>{changeLabels[h.change]}</Td>
                <Td className="tabular-nums">
                  {h.before} → {h.after}
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      </Section>
    </div>
  );
}
