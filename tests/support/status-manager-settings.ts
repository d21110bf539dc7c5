import pino from 'pino';
import { pool } from '@/lib/db/pool';
import { watchSiteControl } from '@/lib/sitecontrol/watch-site-control';
import { config } from '@/lib/config';
import { STATUS_MANAGER_SETTING_PATHS, startStatusManager, type WatchStatusManagerSettings } from '@/lib/status/status-manager';

/** Status Manager's settings from the test site's control document, as its worker gives them. */
export function siteControlSettings(connectionString: string, purgeSchedule = '0 0 1 1 *'): WatchStatusManagerSettings {
  return (onChange) =>
    watchSiteControl({ paths: STATUS_MANAGER_SETTING_PATHS, connectionString, db: pool(), log: pino({ level: 'silent' }), purgeSchedule, onChange });
}

/** A real Status Manager in the test process (one drain loop), on the test site's settings. */
export function startTestStatusManager(signal: AbortSignal) {
  return startStatusManager({
    db: pool(),
    connectionString: config().databaseUrl,
    log: pino({ level: 'silent' }),
    signal,
    loops: 1,
    batchRows: 20,
    watchSettings: siteControlSettings(config().databaseUrl),
    ledgerDays: 7,
    pollMs: 50,
  });
}
