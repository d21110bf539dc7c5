import type pg from 'pg';
import { config } from '../config';
import { pool } from '../db/pool';
import { findSiteNameAndTimeZone } from '../sites/repo';
import { findSiteControl } from './repo';
import { defaultSiteSettings, type SiteSettings } from './site-control.schema';

/** The settings in effect and the serial they come from. */
export interface SiteControlSnapshot {
  siteCode: string;
  serial: number;
  settings: SiteSettings;
}

/**
 * The site's settings as the site control document holds them, typed and complete (missing or
 * stale sections read as their defaults). Before the site has a document, its defaults at serial 0.
 */
export async function readSiteControl(
  options: {
    siteCode?: string;
    db?: pg.Pool | pg.PoolClient;
    /** "Delete Aged Status Messages" schedule of a site without a document (default SITEBOX_STATUS_PURGE_SCHEDULE). */
    purgeSchedule?: string;
  } = {},
): Promise<SiteControlSnapshot> {
  const db = options.db ?? pool();
  const siteCode = options.siteCode ?? config().SITEBOX_SITE_CODE;
  const control = await findSiteControl(db, { siteCode });
  if (control) return { siteCode, serial: control.serial, settings: control.document };
  const site = await findSiteNameAndTimeZone(db, siteCode);
  const settings = defaultSiteSettings(
    { code: siteCode, name: site?.name.slice(0, 50) || siteCode, timeZone: site?.timeZone },
    { purgeSchedule: options.purgeSchedule ?? config().SITEBOX_STATUS_PURGE_SCHEDULE },
  );
  return { siteCode, serial: 0, settings };
}

/** The site's settings (see readSiteControl). */
export async function readSiteSettings(options: { siteCode?: string; db?: pg.Pool | pg.PoolClient } = {}): Promise<SiteSettings> {
  return (await readSiteControl(options)).settings;
}
