import { describe, expect, it } from 'vitest';
import { runConditionsSchema } from '@/lib/protocol/policy-deployment.schema';

describe('run conditions', () => {
  it("a program's run conditions say the range of a number far out of it, and a missing one is no number", () => {
    const first = (conditions: Record<string, unknown>) => {
      const parsed = runConditionsSchema.safeParse(conditions);
      return parsed.success ? 'ok' : `${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}`;
    };
    expect(first({ maxRunMinutes: 1e20 })).toBe('maxRunMinutes must be at most 1440');
    expect(first({ retries: null })).toBe('retries must be a whole number');
    expect(first({ retryIntervalMinutes: 2.5 })).toBe('retryIntervalMinutes must be a whole number');
    expect(first({ successExitCodes: [0, null] })).toBe('successExitCodes.1 must be a whole number');
    expect(first({ maxRunMinutes: 60, retries: 3 })).toBe('ok');
  });
});
