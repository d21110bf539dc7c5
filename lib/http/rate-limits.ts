import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../errors';

/** A named limit: `points` requests per `durationSeconds` per key. */
export interface RateLimit {
  name: string;
  limiter: RateLimiterMemory;
}

function limit(name: string, points: number, durationSeconds: number): RateLimit {
  return { name, limiter: new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds }) };
}

// Per process: with several hosts each enforces its own share, which is what matters for
// protecting that host. Sign-in is also slowed per user in the database (sign-in-throttle.ts).
export const signInRateLimit = limit('sign-in', 20, 60);
/** Client endpoints, keyed by device (or by address before a device has a credential). */
export const clientRateLimit = limit('client', 600, 60);

/** Takes one point for `key`, or throws RATE_LIMITED with the seconds until the next is allowed. */
export async function consume(rateLimit: RateLimit, key: string): Promise<void> {
  try {
    await rateLimit.limiter.consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    throw new AppError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil(error.msBeforeNext / 1000)) });
  }
}
