import { z } from 'zod';

const pathList = z.array(z.string().min(1).max(4096).startsWith('/', 'must be an absolute path')).max(256);

/**
 * Where and how the client's Quick Scan and Full Scan run (the `scan` section of the agent's
 * configuration file). ClamAV does the scanning: clamdscan when its daemon's socket is present
 * and no own signature folder is named, else clamscan.
 */
export const scanSettingsSchema = z
  .object({
    /** The clamscan program (a name looked up on PATH, or a path). */
    clamscan: z.string().min(1).max(4096).default('clamscan'),
    clamdscan: z.string().min(1).max(4096).default('clamdscan'),
    /** The clamd socket whose presence means the daemon runs (Debian's clamav-daemon). */
    clamdSocket: z.string().min(1).max(4096).default('/run/clamav/clamd.ctl'),
    /** A signature folder of its own (clamscan --database); Debian's freshclam folder when unset. */
    database: z.string().min(1).max(4096).optional(),
    /**
     * Quick Scan's folders, Full Scan's, and those never scanned. Named here they are this
     * machine's own; left out, the site's scan paths from policy apply (else DEFAULT_SCAN_PATHS).
     */
    quickPaths: pathList.optional(),
    fullPaths: pathList.optional(),
    exclude: pathList.optional(),
    quickTimeoutMinutes: z.number().int().min(1).max(1440).default(60),
    fullTimeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 1440)
      .default(720),
  })
  .prefault({});
export type ScanSettings = z.infer<typeof scanSettingsSchema>;

/** Where scans look when neither the configuration nor policy says. */
export const DEFAULT_SCAN_PATHS = {
  /** The folders where downloads and temporary files land. */
  quickPaths: ['/home', '/root', '/tmp', '/var/tmp'],
  /** The file systems from the root. */
  fullPaths: ['/'],
  /** Kernel and device file systems, which hang or flood a scan. */
  exclude: ['/proc', '/sys', '/dev', '/run'],
};

/** Scan paths as the site's settings give them in policy (clientAgent.scan). */
export interface PolicyScanPaths {
  quickPaths: string[];
  fullPaths: string[];
  exclusions: string[];
}

/**
 * The scan paths a scan uses: those the configuration file names (this machine's own), else the
 * site's from policy, else the defaults.
 */
export function scanPathsOf(
  settings: ScanSettings,
  policy?: PolicyScanPaths | null,
): { quickPaths: string[]; fullPaths: string[]; exclude: string[] } {
  return {
    quickPaths: settings.quickPaths ?? policy?.quickPaths ?? DEFAULT_SCAN_PATHS.quickPaths,
    fullPaths: settings.fullPaths ?? policy?.fullPaths ?? DEFAULT_SCAN_PATHS.fullPaths,
    exclude: settings.exclude ?? policy?.exclusions ?? DEFAULT_SCAN_PATHS.exclude,
  };
}

/** The configuration's scan settings with the site's scan paths filling in what it leaves out. */
export function scanSettingsWithPolicy(settings: ScanSettings, policy: PolicyScanPaths | undefined | null): ScanSettings {
  return { ...settings, ...scanPathsOf(settings, policy) };
}

export type ScanKind = 'QUICK' | 'FULL';

/** A file a scan found infected and the signature it matched. */
export interface ScanThreat {
  path: string;
  signature: string;
}

/** What a finished scan found. */
export interface ScanReport {
  itemsScanned?: number;
  threatsFound: number;
  /** The threats, at most the first MAX_REPORTED_THREATS (threatsFound counts them all). */
  threats: ScanThreat[];
}

export const MAX_REPORTED_THREATS = 50;

/** Runs one scan; rejects with the reason it could not finish. */
export type Scanner = (kind: ScanKind, signal: AbortSignal) => Promise<ScanReport>;
