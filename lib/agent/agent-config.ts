import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { scanSettingsSchema } from './scan/scan-settings';
import { fingerprintOf, normalizeFingerprint } from './tls-pin';

/** Where `sitebox-agent install` puts things on a client machine. */
export const installedPaths = {
  configFile: '/etc/sitebox-agent/config.json',
  stateDir: '/var/lib/sitebox-agent',
  libDir: '/usr/local/lib/sitebox-agent',
  unitDir: '/etc/systemd/system',
} as const;

const managementPointUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2048)
  .transform((url) => new URL(url).origin);

/** The client agent's configuration file (written by `sitebox-agent install`, mode 0600). */
export const agentConfigSchema = z.object({
  /** Management points, preferred first; the agent moves on to the next when one is unreachable. */
  managementPoints: z.array(managementPointUrl).min(1, 'name at least one management point').max(16),
  /** The name the device registers with (default: the host name). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/, 'must be a host name: letters, digits and hyphens, at most 63')
    .optional(),
  /** Holds the credential, the status message spool and what deployments ran. */
  stateDir: z.string().startsWith('/', 'must be an absolute path').max(4096).default(installedPaths.stateDir),
  siteCode: z
    .string()
    .regex(/^[A-Z0-9]{3}$/, 'must be a three-character site code')
    .default('S01'),
  /** The notification server's own port on each management point, tried before the console port. */
  notificationPort: z.number().int().min(1).max(65535).optional(),
  /**
   * The site certificate authority this agent trusts, alone, for https management points: its
   * SHA-256 fingerprint (from the console's Devices page) and the certificate fetched and checked
   * against it at install. Without it an https management point needs a publicly trusted certificate.
   */
  pinnedCa: z
    .object({
      fingerprint: z.string().transform((text, ctx) => {
        const fingerprint = normalizeFingerprint(text);
        if (!fingerprint) ctx.addIssue({ code: 'custom', message: 'must be a SHA-256 fingerprint (64 hex digits, e.g. AB:CD:…)' });
        return fingerprint ?? text;
      }),
      certificate: z.string().max(16_384),
    })
    .refine(
      (pin) => {
        try {
          return fingerprintOf(pin.certificate) === pin.fingerprint;
        } catch {
          return false;
        }
      },
      { message: 'the certificate is not the one the fingerprint names', path: ['certificate'] },
    )
    .optional(),
  scan: scanSettingsSchema,
  /** Hardware and software inventory and heartbeat discovery (their cycles come from policy). */
  inventory: z
    .object({
      enabled: z.boolean().default(true),
      /** dpkg's database and file lists, when not the system's own (tests, a chroot). */
      dpkgStatusFile: z.string().startsWith('/', 'must be an absolute path').max(4096).optional(),
      dpkgInfoDir: z.string().startsWith('/', 'must be an absolute path').max(4096).optional(),
      /** Where snaps are mounted, when not /snap (tests). */
      snapDir: z.string().startsWith('/', 'must be an absolute path').max(4096).optional(),
    })
    .prefault({}),
  /** Software metering usage (whether it meters, by which rules and how often comes from policy). */
  metering: z.object({ enabled: z.boolean().default(true) }).prefault({}),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** A configuration file that cannot be read or is wrong: the agent cannot run until it is mended. */
export class AgentConfigError extends Error {}

/** Reads and checks a configuration file, naming the file and the field that is wrong. */
export async function readAgentConfig(file: string): Promise<AgentConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new AgentConfigError(`cannot read the configuration ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgentConfigError(`${file}: ${issue.path.join('.') || '(top)'} ${issue.message}`);
  }
  return parsed.data;
}
