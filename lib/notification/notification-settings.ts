import { z } from 'zod';
import { config } from '../config';
import { pool } from '../db/pool';

/** The site's client notification settings (site control: components.notificationServer). */
export interface ClientNotificationSettings {
  /** The notification server's own port, the reference's 10123; agents fall back to the console port. */
  port: number;
  /** How often agents send a keep-alive over the channel (the reference's 15 minutes). */
  keepAliveSeconds: number;
  /** How long a client operation stays valid (clients coming online within it still get it). */
  operationValidityMinutes: number;
}

/** NOTIFY channel the site control flow announces a newly applied serial on (lib/sitecontrol). */
export const SITE_CONTROL_APPLIED_CHANNEL = 'sitebox_site_control_applied';

// Only the part of the site control document these settings live in; anything else is ignored,
// and a value out of range falls back to its default rather than stopping the channel.
const sectionSchema = z.object({
  port: z.number().int().min(1).max(65535).catch(10123).default(10123),
  keepAliveMinutes: z.number().int().min(1).max(24 * 60).catch(15).default(15),
  operationValidityMinutes: z.number().int().min(1).max(7 * 24 * 60).optional().catch(undefined),
});

/** The settings from a site control document (pure: the notification server and tests use it). */
export function clientNotificationSettingsFrom(document: unknown, fallbackValidityMinutes: number): ClientNotificationSettings {
  const section = (document as { components?: { notificationServer?: unknown } } | null)?.components?.notificationServer;
  const parsed = sectionSchema.safeParse(section ?? {});
  const s = parsed.success ? parsed.data : sectionSchema.parse({});
  return {
    port: s.port,
    keepAliveSeconds: s.keepAliveMinutes * 60,
    operationValidityMinutes: s.operationValidityMinutes ?? fallbackValidityMinutes,
  };
}

const CACHE_MS = 30_000;
const holder = globalThis as unknown as { siteboxNotificationSettings?: { at: number; value: ClientNotificationSettings } };

/**
 * Reads the settings from the site's control document, falling back to SITEBOX_CLIENT_OPERATION_VALIDITY_MINUTES
 * for the validity. Cached for 30 seconds (every agent connection asks for the keep-alive);
 * notification servers clear the cache when a new site control serial is applied.
 */
export async function readClientNotificationSettings(options: { siteCode?: string; now?: number } = {}): Promise<ClientNotificationSettings> {
  const now = options.now ?? Date.now();
  const cached = holder.siteboxNotificationSettings;
  if (cached && now - cached.at < CACHE_MS) return cached.value;
  const siteCode = options.siteCode ?? config().SITEBOX_SITE_CODE;
  const { rows } = await pool().query<{ document: unknown }>(
    `SELECT sc.document FROM site_control sc JOIN site s ON s.id = sc.site_id WHERE s.code = $1`,
    [siteCode],
  );
  const value = clientNotificationSettingsFrom(rows[0]?.document ?? {}, config().SITEBOX_CLIENT_OPERATION_VALIDITY_MINUTES);
  holder.siteboxNotificationSettings = { at: now, value };
  return value;
}

/** Forgets the cached settings (tests, and after the site control document changes). */
export function clearClientNotificationSettingsCache(): void {
  holder.siteboxNotificationSettings = undefined;
}
