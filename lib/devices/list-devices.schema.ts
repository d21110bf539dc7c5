import { z } from 'zod';
import { int4IdParam, safeText } from '../validation/primitives';

export const deviceSortColumns = ['name', 'domain', 'osName', 'osVersion', 'ipAddress', 'site', 'approval', 'online', 'lastSeenAt'] as const;
export type DeviceSortColumn = (typeof deviceSortColumns)[number];
export const devicePageSizes = [25, 50, 100] as const;
export const deviceSources = ['agent', 'demo'] as const;

/** Query string of GET /api/devices. */
export const listDevicesQuerySchema = z.object({
  search: safeText(100).optional(),
  sort: z.enum(deviceSortColumns).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int('must be a whole number').min(1, 'must be 1 or more').max(1_000_000).default(1),
  pageSize: z.coerce
    .number()
    .refine((v) => (devicePageSizes as readonly number[]).includes(v), 'must be 25, 50 or 100')
    .default(50),
  online: z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
  osKind: z.enum(['WORKSTATION', 'SERVER']).optional(),
  approval: z.enum(['PENDING', 'APPROVED', 'REVOKED']).optional(),
  collectionId: int4IdParam().optional(),
  /** `agent`: registered clients only (hides the demo seed's devices); `demo`: the demo devices only. */
  source: z.enum(deviceSources, { message: 'must be agent or demo' }).optional(),
});

export type ListDevicesQuery = z.infer<typeof listDevicesQuerySchema>;

/** A device as the Devices table shows it. */
export interface DeviceRow {
  id: number;
  name: string;
  domain: string | null;
  osName: string;
  osVersion: string;
  osKind: 'WORKSTATION' | 'SERVER';
  ipAddress: string | null;
  siteCode: string;
  approval: 'PENDING' | 'APPROVED' | 'REVOKED';
  online: boolean;
  lastSeenAt: string | null;
  /** Inserted by the demo seed, not reported by an agent. */
  isDemo: boolean;
}

export interface DevicePage {
  rows: DeviceRow[];
  total: number;
  page: number;
  pageSize: number;
}
