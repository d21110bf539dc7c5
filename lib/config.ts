import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { siteNameSchema } from './validation/site-name';

const port = z.coerce.number().int().min(1).max(65535);
// 0 asks the OS for a free port (tests).
const listenPort = z.coerce.number().int().min(0).max(65535);

/** Environment variables Sitebox reads, with their defaults. Documented in README.md. */
export const configSchema = z
  .object({
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection string')
      .optional(),
    SITEBOX_DATA_DIR: z.string().min(1).default('.sitebox'),
    SITEBOX_EMBEDDED_PG_PORT: port.default(54329),
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: listenPort.default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Comma-separated worker names `npm start` supervises; empty string for none. */
    SITEBOX_WORKERS: z.string().optional(),
    /** Workers `npm start` runs each in a process of its own (comma-separated, or `*` for all); the rest share one. */
    SITEBOX_WORKERS_APART: z.string().optional(),
    /**
     * This server's name as a site system: the system every server component here reports its
     * status messages under, and the name the seed gives the site server.
     */
    SITEBOX_SERVER_NAME: z
      .string()
      .regex(
        /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/,
        'must be a host name such as s01-ss01.corp.example.com',
      )
      .max(255)
      .default(() => hostname()),
    /** The code of the site this instance serves. */
    SITEBOX_SITE_CODE: z
      .string()
      .regex(/^[A-Z0-9]{3}$/, 'must be 3 capital letters or digits')
      .default('S01'),
    /** The name the first start gives this site. */
    SITEBOX_SITE_NAME: siteNameSchema.default('Central'),
    /** The IANA time zone the first start gives this site (changed later in Site Settings). */
    SITEBOX_SITE_TIME_ZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('America/New_York'),
    /** The first administrator's password (else a one-time password is printed at first start). */
    SITEBOX_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
    SITEBOX_SEED_DEVICES: z.coerce.number().int().min(0).max(1_000_000).default(500),
    SITEBOX_WORKER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    /** How much lower the CPU priority of worker processes is than the process that starts them (nice steps, 0: equal). */
    SITEBOX_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(5),
    /** Messages waiting in Status Manager's inbox above which ingest answers 503 with Retry-After. */
    SITEBOX_STATUS_INBOX_LIMIT: z.coerce.number().int().min(1).default(200_000),
    /** The Retry-After, in seconds, of a 503 from the ingest endpoint (reporters add jitter). */
    SITEBOX_STATUS_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    /** Largest status message batch body the ingest endpoint reads; larger ones get 413. */
    SITEBOX_STATUS_MAX_BATCH_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(2 * 1024 * 1024),
    /** Threads beside the event loop that parse and store ingested batches (0: the event loop does it). */
    SITEBOX_STATUS_INGEST_THREADS: z.coerce.number().int().min(0).max(16).default(Math.min(4, availableParallelism())),
    /** Concurrent drain loops in one Status Manager process (each claims distinct inbox batches). */
    SITEBOX_STATUS_MANAGER_LOOPS: z.coerce.number().int().min(1).max(16).default(3),
    /** Inbox batches (one per accepted request) a Status Manager loop claims per transaction. */
    SITEBOX_STATUS_MANAGER_BATCH_ROWS: z.coerce.number().int().min(1).max(1000).default(10),
    /** When "Delete Aged Status Messages" runs: a cron pattern in the server's time zone. */
    SITEBOX_STATUS_PURGE_SCHEDULE: z
      .string()
      .refine(isCronPattern, { abort: true, error: 'must be a cron pattern such as "0 0 * * *"' })
      .refine(cronPatternOccurs, 'never comes: no date matches it (February 31?)')
      .default('0 0 * * *'),
    /** Days to remember the uids of processed messages that were not stored, to refuse re-deliveries. */
    SITEBOX_STATUS_LEDGER_DAYS: z.coerce.number().int().min(1).max(365).default(7),
    /** Days of status_message partitions Delete Aged Status Messages makes ahead of today. */
    SITEBOX_STATUS_PARTITION_DAYS_AHEAD: z.coerce.number().int().min(1).max(366).default(14),
    /** Base URL of the parent site's Sitebox; messages a rule replicates are forwarded there. */
    SITEBOX_PARENT_SITE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** This site's credential at the parent, issued there with `npm run site-system:credential`. */
    SITEBOX_PARENT_SITE_CREDENTIAL: z
      .string()
      .regex(/^SiteSystem \d+\.[A-Za-z0-9_-]{20,128}$/, 'must be a site system credential: SiteSystem <id>.<secret>')
      .optional(),
    /** Where "report to the event log" writes RFC 5424 lines: udp://host:port or file:/path. Unset: the process log. */
    SITEBOX_SYSLOG: z
      .string()
      .regex(/^(udp:\/\/[^/:]+(:\d{1,5})?|udp:\/\/\[[0-9a-fA-F:]+\](:\d{1,5})?|file:.+)$/, 'must be udp://host:port or file:/path')
      .optional(),
    /** Server components (comma-separated, or *) whose own messages also go to the system log at the source. */
    SITEBOX_SYSLOG_COMPONENTS: z.string().optional(),
    /** How often a notification server records that it is alive; silent for three intervals, its clients count as offline. */
    SITEBOX_NOTIFICATION_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
    /** How often a notification server writes its batched presence, deliveries and results. */
    SITEBOX_NOTIFICATION_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(250),
    /**
     * The client notification port of this process, overriding the site setting (default 10123):
     * a port, 0 for any free port, or "off" to serve agents on the console port only.
     */
    SITEBOX_NOTIFICATION_PORT: z.union([z.literal('off'), z.coerce.number().int().min(0).max(65535)]).optional(),
    /**
     * Transport security of the console port and the notification port: "auto" (the site's own
     * certificate authority and server certificate, made and renewed here), "provided"
     * (SITEBOX_TLS_CERT and SITEBOX_TLS_KEY) or "off" (plain HTTP, e.g. behind a TLS proxy).
     */
    SITEBOX_TLS: z.enum(['auto', 'provided', 'off'], { error: 'must be auto, provided or off' }).default('auto'),
    /** With SITEBOX_TLS=provided: the server certificate, then its chain up to the authority agents pin (PEM). */
    SITEBOX_TLS_CERT: z.string().min(1).optional(),
    /** With SITEBOX_TLS=provided: the server certificate's private key (PEM). */
    SITEBOX_TLS_KEY: z.string().min(1).optional(),
    /** More names and addresses (comma-separated) the site's server certificate holds, beside this server's own. */
    SITEBOX_TLS_HOSTS: z
      .string()
      .regex(/^[A-Za-z0-9.:-]+(,[A-Za-z0-9.:-]+)*$/, 'must be comma-separated host names or IP addresses')
      .optional(),
  })
  .refine((c) => c.SITEBOX_TLS !== 'provided' || (c.SITEBOX_TLS_CERT && c.SITEBOX_TLS_KEY), {
    path: ['SITEBOX_TLS_CERT'],
    message: 'and SITEBOX_TLS_KEY are required with SITEBOX_TLS=provided',
  })
  .refine((c) => !c.SITEBOX_PARENT_SITE_URL || c.SITEBOX_PARENT_SITE_CREDENTIAL, {
    path: ['SITEBOX_PARENT_SITE_CREDENTIAL'],
    message: 'is required with SITEBOX_PARENT_SITE_URL (the parent issues it)',
  });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}

function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** Whether a schedule ever comes: croner reads "0 0 31 2 *" (February 31), which no date matches. */
function cronPatternOccurs(pattern: string): boolean {
  const cron = new Cron(pattern, { paused: true });
  try {
    return cron.nextRun() !== null;
  } finally {
    cron.stop();
  }
}

export type Config = z.infer<typeof configSchema> & {
  dataDir: string;
  /** True when Sitebox runs its own PostgreSQL because DATABASE_URL is unset. */
  embedded: boolean;
  databaseUrl: string;
};

/** Thrown with one line per bad variable, naming it and saying why. */
export class ConfigError extends Error {}

// A plain record, not NodeJS.ProcessEnv: Next's types make NODE_ENV required there, which tests need not invent.
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means unset — except SITEBOX_WORKERS, where empty means "no workers".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== '' || k === 'SITEBOX_WORKERS'));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  const dataDir = path.resolve(c.SITEBOX_DATA_DIR);
  const embedded = !c.DATABASE_URL;
  const databaseUrl = c.DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${c.SITEBOX_EMBEDDED_PG_PORT}/sitebox`;
  return { ...c, dataDir, embedded, databaseUrl };
}

let cached: Config | undefined;

/** The configuration, read from the environment once. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** This server's name as a site system (SITEBOX_SERVER_NAME, else the host name). */
export function serverName(): string {
  return config().SITEBOX_SERVER_NAME;
}

/** Forget the cached configuration so the next read sees a changed environment (tests). */
export function resetConfig(): void {
  cached = undefined;
}
