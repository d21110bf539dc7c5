import type { InventoryAnswer, InventoryReport } from '../protocol/inventory.schema';

/** What the site holds for a device when a report arrives. */
export interface InventoryHolding {
  /** The version the site loaded (device.inventory_version; 0: none). */
  loadedVersion: number;
  /** The loader refused a delta and asked for a full report. */
  resync: boolean;
  /** The newest report accepted and not loaded yet: the head of the chain a delta must build on. */
  pendingVersion: number | null;
  /** The version of a report with this reportId the site already has (inbox or loaded), if any. */
  duplicateVersion: number | null;
}

export type InventoryAcceptance = { store: true; answer: InventoryAnswer } | { store: false; answer: InventoryAnswer };

/**
 * Whether a management point stores a report: a resend is answered `duplicate`; a full report is
 * always taken; a delta only when it builds on the version the site holds — the newest report
 * waiting for the loader, or else the loaded one (and none while a resync is asked for).
 */
export function decideAcceptance(report: InventoryReport, holding: InventoryHolding): InventoryAcceptance {
  if (holding.duplicateVersion !== null) return { store: false, answer: { status: 'duplicate', version: holding.duplicateVersion } };
  if (report.kind === 'full') return { store: true, answer: { status: 'accepted', version: report.version } };
  const siteVersion = holding.pendingVersion ?? holding.loadedVersion;
  if (holding.pendingVersion === null && holding.resync) {
    return { store: false, answer: { status: 'resync', siteVersion, message: 'The site asked this device for a full inventory; send one.' } };
  }
  if (report.baseVersion !== siteVersion) {
    return {
      store: false,
      answer: {
        status: 'resync',
        siteVersion,
        message: `The delta is based on version ${report.baseVersion}, but the site holds version ${siteVersion}; send a full inventory.`,
      },
    };
  }
  return { store: true, answer: { status: 'accepted', version: report.version } };
}
