'use client';

import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { formatPropertyValue, hardwareClassLabel, instanceValue, propertyLabel } from '@/lib/resource-explorer/hardware-labels';
import type { HardwareClassView } from '@/lib/resource-explorer/resource-explorer.schema';
import { useDeviceInventoryQuery } from './use-resource-explorer';

/** Every property any instance of the class has, in the order they first appear. */
function propertiesOf(instances: HardwareClassView['instances']): string[] {
  const seen = new Set<string>();
  for (const instance of instances) for (const key of Object.keys(instance)) seen.add(key);
  return [...seen];
}

function HardwareClass({ hardwareClass }: { hardwareClass: HardwareClassView }) {
  const label = hardwareClassLabel(hardwareClass.className);
  const properties = propertiesOf(hardwareClass.instances);
  const headingId = `hardware-${hardwareClass.className}`;
  return (
    <section aria-labelledby={headingId} data-testid={`hardware-class-${hardwareClass.className}`}>
      <h3 id={headingId} className="mb-1 text-sm font-semibold text-slate-800">
        {label} <span className="font-normal text-slate-500">({hardwareClass.instances.length})</span>
      </h3>
      {hardwareClass.instances.length === 0 ? (
        <p className="text-sm text-slate-500">No instances reported.</p>
      ) : hardwareClass.instances.length === 1 ? (
        // One instance (the system, the BIOS, the OS) reads best as a list of properties.
        <Table className="max-w-3xl">
          <caption className="sr-only">{label}</caption>
          <TBody>
            {properties.map((p) => (
              <tr key={p}>
                <Th scope="row" className="w-56 bg-slate-50 text-left font-medium text-slate-600">
                  {propertyLabel(p)}
                </Th>
                <Td className="break-all">{formatPropertyValue(p, instanceValue(hardwareClass.instances[0], p))}</Td>
              </tr>
            ))}
          </TBody>
        </Table>
      ) : (
        <div className="overflow-x-auto">
          <Table>
            <caption className="sr-only">{label}</caption>
            <THead>
              <tr>
                {properties.map((p) => (
                  <Th key={p} className="whitespace-nowrap font-semibold">
                    {propertyLabel(p)}
                  </Th>
                ))}
              </tr>
            </THead>
            <TBody>
              {hardwareClass.instances.map((instance, i) => (
                <tr key={i}>
                  {properties.map((p) => (
                    <Td key={p} className="whitespace-nowrap">
                      {formatPropertyValue(p, instanceValue(instance, p))}
                    </Td>
                  ))}
                </tr>
              ))}
            </TBody>
          </Table>
        </div>
      )}
    </section>
  );
}

/** The device's hardware classes as last reported, each as a table of its instances. */
export function HardwareTab({ deviceId }: { deviceId: number }) {
  const query = useDeviceInventoryQuery(deviceId);
  if (query.error) {
    return (
      <p role="alert" className="text-sm text-red-700">
        {query.error.message}
      </p>
    );
  }
  if (!query.data) return <p className="text-sm text-slate-500">Loading…</p>;
  if (!query.data.hardware.length) return <p className="text-sm text-slate-500">No hardware inventory yet — the agent sends one at first start.</p>;
  return (
    <div className="space-y-5">
      {query.data.hardware.map((c) => (
        <HardwareClass key={c.className} hardwareClass={c} />
      ))}
    </div>
  );
}
