'use client';

import { useQuery } from '@tanstack/react-query';
import clsx from 'clsx';
import Link from 'next/link';
import { Table, TBody, Td, Th, THead } from '@/components/ui/table';
import { api } from '@/lib/client/api';
import type { LinkState, SiteHierarchy } from '@/lib/status/site-hierarchy';
import { RelativeTime } from '../ui/relative-time';

// The link's state moves with each forwarding attempt (every few seconds while the parent is away).
const REFRESH_MS = 5_000;

const stateLabel: Record<LinkState, { text: string; tone: string }> = {
  NOT_YET: { text: 'Not yet tried', tone: 'text-slate-500' },
  OK: { text: 'OK', tone: 'text-emerald-700' },
  DEGRADED: { text: 'Degraded', tone: 'text-amber-700' },
  FAILED: { text: 'Failed', tone: 'text-red-700' },
};

const viewer = (site: string) => `/monitoring/status-messages?${new URLSearchParams({ site })}`;
const siteView = (path: string, site: string) => `/monitoring/${path}?${new URLSearchParams({ site })}`;
const count = (n: number | undefined) => (n ?? 0).toLocaleString();

/** The Site Hierarchy page: this site, its link to its parent, and the child sites replicating to it. */
export function SiteHierarchyView() {
  const query = useQuery({
    queryKey: ['siteHierarchy'],
    queryFn: ({ signal }) => api<SiteHierarchy>('/api/site-hierarchy', { signal }),
    refetchInterval: REFRESH_MS,
  });
  if (query.isError) return <p className="text-sm text-red-700">The site hierarchy could not be read: {query.error.message}</p>;
  const data = query.data;
  if (!data) return <p className="text-sm text-slate-500">Loading…</p>;
  const { parent } = data;
  return (
    <div className="space-y-6">
      <section aria-label="This site">
        <h2 className="mb-2 text-sm font-semibold text-slate-700">This site</h2>
        <p className="text-sm">
          <span className="font-mono">{data.site.code}</span> — <bdi>{data.site.name}</bdi>{' '}
          <Link className="text-sky-700 hover:underline" href={viewer(data.site.code)}>
            status messages
          </Link>
        </p>
      </section>

      <section aria-label="Parent site">
        <h2 className="mb-2 text-sm font-semibold text-slate-700">Parent site</h2>
        {!parent ? (
          <p className="text-sm text-slate-500">This site reports to no parent (SITEBOX_PARENT_SITE_URL is not set).</p>
        ) : (
          <Table dense={false}>
            <THead>
              <tr>
                <Th>Parent</Th>
                <Th>Link</Th>
                <Th>Failed attempts in a row</Th>
                <Th>Last sent</Th>
                <Th>Last attempt</Th>
                <Th>Waiting: High / Medium / Low</Th>
              </tr>
            </THead>
            <TBody>
              <tr data-testid="parent-link">
                <Td className="font-mono">{parent.url}</Td>
                <Td className={clsx('font-semibold', stateLabel[parent.state].tone)}>
                  {stateLabel[parent.state].text}
                  {parent.credentialRefused && <span className="ml-2 font-normal text-red-700">credential refused</span>}
                </Td>
                <Td className="tabular-nums">{parent.consecutiveFailures}</Td>
                <Td>
                  <RelativeTime iso={parent.lastSuccessAt} />
                </Td>
                <Td>
                  <RelativeTime iso={parent.lastAttemptAt} empty="Not yet" />
                  {parent.lastError && <div className="text-xs text-slate-500">{parent.lastError}</div>}
                </Td>
                <Td className="tabular-nums">
                  {count(parent.backlog.HIGH)} / {count(parent.backlog.MEDIUM)} / {count(parent.backlog.LOW)}
                </Td>
              </tr>
            </TBody>
          </Table>
        )}
        <p className="mt-1 text-xs text-slate-500">Degraded after 12 failed attempts in a row, Failed after 24; OK again after one that succeeds.</p>
      </section>

      <section aria-label="Child sites">
        <h2 className="mb-2 text-sm font-semibold text-slate-700">Child sites</h2>
        {!data.children.length ? (
          <p className="text-sm text-slate-500">No other site’s messages arrived here in the last two days, and no child site reported its link.</p>
        ) : (
          <Table dense={false}>
            <THead>
              <tr>
                <Th>Site</Th>
                <Th>Link (as the child reported it)</Th>
                <Th>Waiting at the child: High / Medium / Low</Th>
                <Th>Last message received</Th>
                <Th>Last hour: errors / warnings / informational</Th>
                <Th />
              </tr>
            </THead>
            <TBody>
              {data.children.map((child) => (
                <tr key={child.code} data-testid={`child-site-${child.code}`}>
                  <Td>
                    <span className="font-mono">{child.code}</span>
                    {child.name && (
                      <span className="text-slate-600">
                        {' '}
                        — <bdi>{child.name}</bdi>
                      </span>
                    )}
                  </Td>
                  <Td>
                    {child.link ? (
                      <>
                        <span className={clsx('font-semibold', stateLabel[child.link.state].tone)}>{stateLabel[child.link.state].text}</span>
                        {child.link.consecutiveFailures > 0 && (
                          <span className="ml-2 text-xs text-slate-600">{child.link.consecutiveFailures} failed attempts in a row</span>
                        )}
                        <div className="text-xs text-slate-500">
                          reported <RelativeTime iso={child.link.reportedAt} />
                        </div>
                      </>
                    ) : (
                      <span className="text-slate-400">No report yet</span>
                    )}
                  </Td>
                  <Td className="tabular-nums" data-testid={`child-backlog-${child.code}`}>
                    {child.link ? (
                      <>
                        {count(child.link.backlog.HIGH)} / {count(child.link.backlog.MEDIUM)} / {count(child.link.backlog.LOW)}
                        {child.link.oldestQueuedAt && (
                          <div className="text-xs text-slate-500">
                            oldest queued <RelativeTime iso={child.link.oldestQueuedAt} />
                          </div>
                        )}
                      </>
                    ) : (
                      '—'
                    )}
                  </Td>
                  <Td>
                    <RelativeTime iso={child.lastMessageAt} />
                  </Td>
                  <Td className="tabular-nums">
                    {child.lastHour.errors} / {child.lastHour.warnings} / {child.lastHour.informational}
                  </Td>
                  <Td>
                    <div className="flex gap-3">
                      <Link className="text-sky-700 hover:underline" href={viewer(child.code)}>
                        Messages
                      </Link>
                      <Link className="text-sky-700 hover:underline" href={siteView('site-status', child.code)}>
                        Site Status
                      </Link>
                      <Link className="text-sky-700 hover:underline" href={siteView('component-status', child.code)}>
                        Component Status
                      </Link>
                    </div>
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </section>
    </div>
  );
}
