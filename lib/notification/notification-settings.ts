import { readSiteSettings } from '../sitecontrol/read-site-settings';
import { processSlot } from '../process-singleton';

/** The site's client notification settings (site setting components.notificationServer). */
export interface ClientNotificationSettings {
  /** The notification server's own port, the reference's 10123; agents fall back to the console port. */
  port: number;
  /** How often agents send a keep-alive over the channel (the reference's 15 minutes). */
  keepAliveSeconds: number;
  /** How long a client operation stays valid (clients coming online within it still get it). */
  operationValidityMinutes: number;
}

const CACHE_MS = 30_000;
const cache = processSlot<{ at: number; value: ClientNotificationSettings }>('notificationSettings');

/**
 * The settings in effect, cached for 30 seconds (every agent connection asks for the keep-alive);
 * notification servers clear the cache when a new site control serial is applied.
 */
export async function readClientNotificationSettings(options: { siteCode?: string; now?: number } = {}): Promise<ClientNotificationSettings> {
  const now = options.now ?? Date.now();
  const cached = cache.get();
  if (cached && now - cached.at < CACHE_MS) return cached.value;
  const section = (await readSiteSettings({ siteCode: options.siteCode })).components.notificationServer;
  const value: ClientNotificationSettings = {
    port: section.port,
    keepAliveSeconds: section.keepAliveMinutes * 60,
    operationValidityMinutes: section.operationValidityMinutes,
  };
  cache.set({ at: now, value });
  return value;
}

/** Forgets the cached settings (tests, and after the site control document changes). */
export function clearClientNotificationSettingsCache(): void {
  cache.set(undefined);
}
