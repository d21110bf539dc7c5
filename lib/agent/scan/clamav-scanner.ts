import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { clamavFailureReason, parseClamavOutput } from './parse-clamav-output';
import { scanPathsOf, type ScanKind, type ScanReport, type ScanSettings, type Scanner } from './scan-settings';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** The program and arguments one scan runs (no shell: paths are arguments, never parsed). */
export async function clamavCommand(settings: ScanSettings, kind: ScanKind): Promise<{ program: string; args: string[]; paths: string[] }> {
  const { quickPaths, fullPaths, exclude } = scanPathsOf(settings);
  const wanted = kind === 'QUICK' ? quickPaths : fullPaths;
  const paths = (await Promise.all(wanted.map(async (p) => ((await exists(p)) ? p : null)))).filter((p): p is string => p !== null);
  if (!paths.length) throw new Error(`none of the folders to scan exists (${wanted.join(', ')})`);
  // The daemon has its signatures loaded already; an own signature folder needs clamscan.
  if (!settings.database && (await exists(settings.clamdSocket))) {
    return { program: settings.clamdscan, args: ['--multiscan', '--fdpass', '--infected', '--stdout', '--', ...paths], paths };
  }
  const args = ['--recursive', '--infected', '--stdout'];
  if (settings.database) args.push(`--database=${settings.database}`);
  for (const dir of exclude) args.push(`--exclude-dir=^${escapeRegExp(dir.replace(/\/+$/, ''))}(/|$)`);
  return { program: settings.clamscan, args: [...args, '--', ...paths], paths };
}

/**
 * The real agent's scanner: runs ClamAV over the configured folders and reports what it found.
 * Exit code 0 is clean, 1 is threats found (a finished scan), anything else a failure with
 * ClamAV's own reason. Cancellation and the time limit stop the scanner process.
 */
export function clamavScanner(settingsOf: ScanSettings | (() => ScanSettings)): Scanner {
  return async (kind, signal) => {
    // A function: the settings as they are when the scan starts (policy may have changed them).
    const settings = typeof settingsOf === 'function' ? settingsOf() : settingsOf;
    const { program, args } = await clamavCommand(settings, kind);
    const minutes = kind === 'QUICK' ? settings.quickTimeoutMinutes : settings.fullTimeoutMinutes;
    return new Promise<ScanReport>((resolve, reject) => {
      if (signal.aborted) return reject(new Error('cancelled before it started'));
      const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let stopped: string | null = null;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      // Per-file warnings can be many; what explains a failure is at the end.
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-16_384)));
      const stop = (reason: string) => {
        stopped = reason;
        child.kill('SIGTERM');
      };
      const onAbort = () => stop('cancelled before it finished');
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => stop(`stopped after its time limit of ${minutes} minutes`), minutes * 60_000);
      const done = () => (clearTimeout(timer), signal.removeEventListener('abort', onAbort));
      child.once('error', (error: NodeJS.ErrnoException) => {
        done();
        reject(
          new Error(
            error.code === 'ENOENT'
              ? `no virus scanner: ${program} is not installed (install Debian's clamav package)`
              : `could not start ${program}: ${error.message}`,
          ),
        );
      });
      child.once('close', (code) => {
        done();
        if (stopped) return reject(new Error(stopped));
        if (code === 0 || code === 1) return resolve(parseClamavOutput(stdout));
        reject(
          new Error(
            `${program} failed (exit code ${code}): ${clamavFailureReason(stderr) ?? (stderr.trim().split('\n').pop() || 'no reason given')}`,
          ),
        );
      });
    });
  };
}
