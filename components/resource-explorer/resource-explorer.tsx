'use client';

import clsx from 'clsx';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useRef } from 'react';
import { RelativeTime } from '@/components/ui/relative-time';
import { formatMegabytes } from '@/lib/resource-explorer/hardware-labels';
import type { DeviceInventoryHeader } from '@/lib/resource-explorer/resource-explorer.schema';
import { HardwareTab } from './hardware-tab';
import { HistoryTab } from './history-tab';
import { MeteringTab } from './metering-tab';
import { SoftwareTab } from './software-tab';

const tabs = [
  { id: 'hardware', label: 'Hardware' },
  { id: 'software', label: 'Software' },
  { id: 'history', label: 'History' },
  { id: 'metering', label: 'Metered software' },
] as const;
type TabId = (typeof tabs)[number]['id'];

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs uppercase text-slate-500">{label}</dt>
      <dd className="text-sm text-slate-900">{children}</dd>
    </div>
  );
}

function DeviceFacts({ device }: { device: DeviceInventoryHeader }) {
  const none = <span className="text-slate-400">—</span>;
  return (
    <dl aria-label="Device summary" className="grid grid-cols-2 gap-x-6 gap-y-2 rounded border border-slate-200 bg-white p-3 md:grid-cols-4">
      <Fact label="Operating system">
        {device.osName} {device.osVersion}
      </Fact>
      <Fact label="Manufacturer and model">
        {device.manufacturer || device.model ? [device.manufacturer, device.model].filter(Boolean).join(' ') : none}
      </Fact>
      <Fact label="Serial number">{device.serialNumber ?? none}</Fact>
      <Fact label="IP address">{device.ipAddress ?? none}</Fact>
      <Fact label="Memory">{device.memoryMb === null ? none : formatMegabytes(device.memoryMb)}</Fact>
      <Fact label="Free disk space (/)">{device.diskFreeMb === null ? none : formatMegabytes(device.diskFreeMb)}</Fact>
      <Fact label="Hardware inventory">
        <RelativeTime iso={device.lastHwInventoryAt} />
      </Fact>
      <Fact label="Software inventory">
        <RelativeTime iso={device.lastSwInventoryAt} />
      </Fact>
    </dl>
  );
}

/**
 * Resource Explorer for one device: its summary, then its hardware classes, installed software,
 * inventory history and metered software as tabs (the tab kept in the URL, so a reload or a link shows the same).
 */
export function ResourceExplorer({ device }: { device: DeviceInventoryHeader }) {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tabRefs = useRef<Record<TabId, HTMLButtonElement | null>>({ hardware: null, software: null, history: null, metering: null });
  const current: TabId = tabs.find((t) => t.id === params.get('tab'))?.id ?? 'hardware';
  const select = (id: TabId) => router.replace(id === 'hardware' ? pathname : `${pathname}?tab=${id}`, { scroll: false });

  return (
    <div className="space-y-4">
      <DeviceFacts device={device} />
      {device.isDemo && <p className="text-sm text-amber-700">A demo device seeded with the site, not a computer running the agent.</p>}
      {!device.hasInventory ? (
        <p data-testid="no-inventory" className="rounded border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-600">
          No inventory yet — the agent sends one at first start.
        </p>
      ) : (
        <div>
          <div
            role="tablist"
            aria-label="Resource Explorer"
            className="mb-3 flex gap-1 border-b border-slate-200"
            onKeyDown={(e) => {
              // Arrow keys move between tabs, as the ARIA tabs pattern has it.
              if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
              const i = tabs.findIndex((t) => t.id === current);
              const next = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length].id;
              select(next);
              tabRefs.current[next]?.focus();
            }}
          >
            {tabs.map((t) => (
              <button
                key={t.id}
                ref={(el) => {
                  tabRefs.current[t.id] = el;
                }}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={current === t.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={current === t.id ? 0 : -1}
                onClick={() => select(t.id)}
                className={clsx(
                  '-mb-px border-b-2 px-3 py-1.5 text-sm',
                  current === t.id ? 'border-blue-700 font-medium text-blue-800' : 'border-transparent text-slate-600 hover:text-slate-900',
                )}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${current}`} aria-labelledby={`tab-${current}`}>
            {current === 'hardware' && <HardwareTab deviceId={device.id} />}
            {current === 'software' && <SoftwareTab deviceId={device.id} />}
            {current === 'history' && <HistoryTab deviceId={device.id} />}
            {current === 'metering' && <MeteringTab deviceId={device.id} />}
          </div>
        </div>
      )}
    </div>
  );
}
