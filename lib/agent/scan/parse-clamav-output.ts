import { MAX_REPORTED_THREATS, type ScanReport } from './scan-settings';

const FOUND = /^(.*): (\S+) FOUND$/;

/**
 * Reads clamscan's (or clamdscan's) standard output: one `<path>: <signature> FOUND` line per
 * infected file (with --infected nothing else per file) and the closing summary.
 */
export function parseClamavOutput(stdout: string): ScanReport {
  const threats: ScanReport['threats'] = [];
  let found = 0;
  let itemsScanned: number | undefined;
  let infected: number | undefined;
  for (const line of stdout.split('\n')) {
    const match = FOUND.exec(line.trimEnd());
    if (match) {
      found++;
      if (threats.length < MAX_REPORTED_THREATS) threats.push({ path: match[1], signature: match[2] });
      continue;
    }
    const summary = /^(Scanned files|Infected files): (\d+)$/.exec(line.trim());
    if (summary?.[1] === 'Scanned files') itemsScanned = Number(summary[2]);
    else if (summary) infected = Number(summary[2]);
  }
  return { itemsScanned, threatsFound: Math.max(found, infected ?? 0), threats };
}

/** The lines of clamscan's standard error that say why it failed, not its per-file warnings. */
export function clamavFailureReason(stderr: string): string | null {
  const errors = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(ERROR|LibClamAV Error):/.test(l));
  return errors.length ? errors.join(' ') : null;
}
