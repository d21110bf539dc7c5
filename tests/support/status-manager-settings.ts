import pino from 'pino';
import { pool } from '@/lib/db/pool';
import { watchSiteControl } from '@/lib/sitecontrol/watch-site-control';
import { STATUS_MANAGER_SETTING_PATHS, type WatchStatusManagerSettings } from '@/lib/status/status-manager';

/** Status Manager's settings from the test site's control document, as its worker gives them. */
export function siteControlSettings(connectionString: string, purgeSchedule = '0 0 1 1 *'): WatchStatusManagerSettings {
  return (onChange) =>
    watchSiteControl({ paths: STATUS_MANAGER_SETTING_PATHS, connectionString, db: pool(), log: pino({ level: 'silent' }), purgeSchedule, onChange });
}
