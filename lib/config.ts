import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
// 0 asks the OS for a free port (tests).
const listenPort = z.coerce.number().int().min(0).max(65535);

/** Environment variables Sitebox reads, with their defaults. Documented in README.md. */
export const configSchema = z.object({
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
  /** The code of the site this instance serves. */
  SITEBOX_SITE_CODE: z.string().regex(/^[A-Z0-9]{3}$/, 'must be 3 capital letters or digits').default('S01'),
  /** The first administrator's password (else a one-time password is printed at first start). */
  SITEBOX_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(256).optional(),
  SITEBOX_SEED_DEVICES: z.coerce.number().int().min(0).max(1_000_000).default(500),
  SITEBOX_WORKER_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
});

export type Config = z.infer<typeof configSchema> & {
  dataDir: string;
  /** True when Sitebox runs its own PostgreSQL because DATABASE_URL is unset. */
  embedded: boolean;
  databaseUrl: string;
};

/** Thrown with one line per bad variable, naming it and saying why. */
export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = result.data;
  const dataDir = path.resolve(c.SITEBOX_DATA_DIR);
  const embedded = !c.DATABASE_URL;
  const databaseUrl =
    c.DATABASE_URL ?? `postgresql://postgres:postgres@127.0.0.1:${c.SITEBOX_EMBEDDED_PG_PORT}/sitebox`;
  return { ...c, dataDir, embedded, databaseUrl };
}

let cached: Config | undefined;

/** The configuration, read from the environment once. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** Forget the cached configuration so the next read sees a changed environment (tests). */
export function resetConfig(): void {
  cached = undefined;
}
