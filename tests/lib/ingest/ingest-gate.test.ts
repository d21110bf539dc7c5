import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { ingestGate } from '@/lib/ingest/3-ingest-gate';

describe('ingest gate', () => {
  it('keeps the options it is asked with, not those of the first caller', async () => {
    ingestGate({ maxRunning: 1, maxWaiting: 2000, retryAfterSeconds: 5 });
    const gate = ingestGate({ maxRunning: 2, maxWaiting: 0, retryAfterSeconds: 9 });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let started = 0;
    const hold = () =>
      gate.run(async () => {
        started++;
        await held;
      });
    const running = [hold(), hold()];
    // Work inside the gate starts at once, so both have started if both were admitted.
    expect(started).toBe(2);
    const refused = await gate.run(async () => 'ran').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', retryAfterSeconds: 9 });
    release();
    await Promise.all(running);
    expect(await gate.run(async () => 'ran')).toBe('ran');
  });
});
