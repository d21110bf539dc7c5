import type { Config } from '../config';

/** Roles a site system holds (the `site_system_role_kind` enum). */
export type SiteSystemRole = 'SITE_SERVER' | 'MANAGEMENT_POINT' | 'SITE_DATABASE_SERVER' | 'DISTRIBUTION_POINT';

/**
 * The server components `server.ts` runs itself: the supervisor that starts the workers, the
 * provider behind the console and API, and the management point (client endpoints and the
 * notification server).
 */
export const serverProcessComponents = ['SMS_SITE_COMPONENT_MANAGER', 'SMS_PROVIDER', 'SMS_MP_CONTROL_MANAGER', 'SMS_NOTIFICATION_SERVER'] as const;

/** The components a management point process of its own (`npm run mp`) runs: client endpoints and notification server. */
export const managementPointComponents = ['SMS_MP_CONTROL_MANAGER', 'SMS_NOTIFICATION_SERVER'] as const;

/**
 * The server components each worker process runs, by worker name. The worker's runner reports
 * each one started (500), running (503) and stopped (501), so Component Status shows what runs.
 */
export const workerComponents: Readonly<Record<string, readonly string[]>> = {
  'client-status-summarizer': ['SMS_CLIENT_STATUS_SUMMARIZER'],
  'collection-evaluator': ['SMS_COLLECTION_EVALUATOR'],
  'deployment-manager': ['SMS_OFFER_MANAGER'],
  'notification-manager': ['SMS_NOTIFICATION_MANAGER'],
  // The component and deployment status summarizers run inside every Status Manager batch.
  'status-manager': ['SMS_STATUS_MANAGER', 'SMS_COMPONENT_STATUS_SUMMARIZER', 'SMS_OFFER_STATUS_SUMMARIZER'],
  'hierarchy-manager': ['SMS_HIERARCHY_MANAGER'],
  'inventory-loader': ['SMS_INVENTORY_DATA_LOADER'],
  'metering-summarizer': ['SMS_SOFTWARE_METERING_PROCESSOR'],
  'site-control-manager': ['SMS_SITE_CONTROL_MANAGER'],
  'site-system-status-summarizer': ['SMS_SITE_SYSTEM_STATUS_SUMMARIZER'],
};

/** The components of this server: its own and those of the workers it supervises. */
export function thisServerComponents(workers: readonly string[]): string[] {
  return [...serverProcessComponents, ...workers.flatMap((name) => workerComponents[name] ?? [])];
}

/**
 * The roles of the server `npm start` runs: site server (it supervises the site's components),
 * management point (client endpoints and notification server in the same process), and site
 * database server while the database is its own embedded PostgreSQL.
 */
export function thisServerRoles(cfg: Pick<Config, 'embedded'>): SiteSystemRole[] {
  return cfg.embedded ? ['SITE_SERVER', 'SITE_DATABASE_SERVER', 'MANAGEMENT_POINT'] : ['SITE_SERVER', 'MANAGEMENT_POINT'];
}
