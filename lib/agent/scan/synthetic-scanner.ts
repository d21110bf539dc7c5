import type { Scanner } from './scan-settings';

/** How long the simulator's synthetic scans take. */
export interface ScanDurations {
  quickScanMs: number;
  fullScanMs: number;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/**
 * For the in-process simulator and benchmarks only, never the real agent: a scan that waits its
 * duration (±20 %) and makes up its counts, so thousands of simulated clients cost no disk.
 */
export function syntheticScanner(durations: ScanDurations, random: () => number = Math.random): Scanner {
  return async (kind, signal) => {
    const full = kind === 'FULL';
    await sleep(Math.round((full ? durations.fullScanMs : durations.quickScanMs) * (0.8 + 0.4 * random())), signal);
    const itemsScanned = Math.round((full ? 250_000 : 12_000) * (0.7 + 0.6 * random()));
    const threatsFound = random() < 0.02 ? 1 : 0;
    return { itemsScanned, threatsFound, threats: threatsFound ? [{ path: '/tmp/simulated-threat', signature: 'Sitebox.Simulated.Threat' }] : [] };
  };
}
