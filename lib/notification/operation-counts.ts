/** Targets of one operation by stored state. */
export interface TargetStateCounts {
  WAITING: number;
  DELIVERED: number;
  SUCCEEDED: number;
  FAILED: number;
  EXPIRED: number;
  CANCELLED: number;
}

/**
 * The Client Operations columns: every target is in exactly one of them, so they add up to the
 * operation's total.
 */
export interface OperationCounts {
  /** Received the push, no result yet. */
  inProgress: number;
  succeeded: number;
  failed: number;
  /** Not reached before an administrator cancelled the operation, or stopped by the cancel. */
  cancelled: number;
  /** Not reached yet: offline, still within the validity. */
  waiting: number;
  /** Not reached within the validity; never pushed again. */
  expired: number;
  status: 'RUNNING' | 'COMPLETED' | 'EXPIRED' | 'CANCELLED';
}

export const emptyStateCounts = (): TargetStateCounts => ({ WAITING: 0, DELIVERED: 0, SUCCEEDED: 0, FAILED: 0, EXPIRED: 0, CANCELLED: 0 });

/**
 * The columns from the stored states. A target still WAITING after the validity counts as
 * expired even before Notification Manager records it so, and as cancelled once the operation
 * is: the counts never depend on when that bookkeeping runs.
 */
export function deriveOperationCounts(options: {
  states: TargetStateCounts;
  validUntil: Date | string;
  cancelledAt: Date | string | null;
  now: Date;
}): OperationCounts {
  const s = options.states;
  const cancelled = options.cancelledAt !== null;
  const lapsed = !cancelled && new Date(options.validUntil).getTime() <= options.now.getTime();
  const waiting = cancelled || lapsed ? 0 : s.WAITING;
  const counts = {
    inProgress: s.DELIVERED,
    succeeded: s.SUCCEEDED,
    failed: s.FAILED,
    waiting,
    expired: s.EXPIRED + (lapsed ? s.WAITING : 0),
    cancelled: s.CANCELLED + (cancelled ? s.WAITING : 0),
  };
  const status: OperationCounts['status'] = cancelled
    ? 'CANCELLED'
    : waiting === 0 && s.DELIVERED === 0
      ? counts.expired > 0
        ? 'EXPIRED'
        : 'COMPLETED'
      : lapsed
        ? 'EXPIRED'
        : 'RUNNING';
  return { ...counts, status };
}

/** A target's state as shown: WAITING past the validity (or after a cancel) reads as such. */
export function displayedTargetState<S extends keyof TargetStateCounts>(options: {
  state: S;
  validUntil: Date | string;
  cancelledAt: Date | string | null;
  now: Date;
}): keyof TargetStateCounts {
  if (options.state !== 'WAITING') return options.state;
  if (options.cancelledAt !== null) return 'CANCELLED';
  return new Date(options.validUntil).getTime() <= options.now.getTime() ? 'EXPIRED' : 'WAITING';
}
