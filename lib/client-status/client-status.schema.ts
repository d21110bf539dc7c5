import { z } from 'zod';

/** The site setting client status is judged by (clientStatus in site control), handed in by the face. */
export interface ClientStatusSettings {
  /** Active: a policy request, a heartbeat or a hardware inventory within this many days. */
  inactiveAfterDays: number;
}

/** Reads each site's client status settings; sites without settings read as the defaults. */
export type ReadClientStatusSettings = (siteIds: number[]) => Promise<Map<number, ClientStatusSettings>>;

/** The kinds of client activity that keep a client active. */
export const activityKinds = ['policyRequest', 'heartbeat', 'hardwareInventory'] as const;
export type ActivityKind = (typeof activityKinds)[number];

/** A device's activity timestamps, as stored on the device row. */
export interface ClientActivityTimes {
  lastPolicyRequestAt: Date | null;
  lastHeartbeatAt: Date | null;
  lastHwInventoryAt: Date | null;
}

/** A device's client activity state and the sentence that explains it. */
export interface ClientActivity {
  active: boolean;
  /** The most recent activity, or null when the client never reported any. */
  last: { kind: ActivityKind; at: Date } | null;
  reason: string;
}

/** Where "active" starts for one site: activity at or after `activeSince`. */
export interface ActivityCutoff {
  siteId: number;
  activeSince: Date;
}

/** Client status counts, for one site or all. */
export interface ClientStatusCounts {
  total: number;
  online: number;
  active: number;
  inactive: number;
}

/** One day of client_status_daily (summed over sites), as the chart draws it. */
export interface ClientStatusDay extends ClientStatusCounts {
  /** YYYY-MM-DD, the site's local day. */
  day: string;
}

/** GET /api/client-status: the totals now, the last `days` days, and the settings they were judged by. */
export const clientStatusQuerySchema = z.object({
  days: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(366, 'must be 366 or less').default(30),
});

export interface ClientStatusOverview {
  totals: ClientStatusCounts & { offline: number };
  history: ClientStatusDay[];
  /** The threshold of each site, by site code (one entry on a single site). */
  inactiveAfterDays: Record<string, number>;
  at: string;
}

export const inactiveClientsPageSizes = [25, 50, 100] as const;

/** GET /api/client-status/inactive: one page of inactive clients, longest silent first. */
export const inactiveClientsQuerySchema = z.object({
  page: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000).default(1),
  pageSize: z.coerce
    .number()
    .refine((v) => (inactiveClientsPageSizes as readonly number[]).includes(v), 'must be 25, 50 or 100')
    .default(25),
});
export type InactiveClientsQuery = z.infer<typeof inactiveClientsQuerySchema>;

export interface InactiveClientRow {
  id: number;
  name: string;
  siteCode: string;
  online: boolean;
  isDemo: boolean;
  lastActivityAt: string | null;
  reason: string;
}

export interface InactiveClientsPage {
  rows: InactiveClientRow[];
  total: number;
  page: number;
  pageSize: number;
}
