import { z } from 'zod';
import { int4, int4Id, rawText, requiredText, safeDate, safeText } from '../validation/primitives';

/** Runs a management point takes in one upload; the agent sends at most this many at a time. */
export const MAX_METERING_USAGE_RUNS = 1000;
/** The largest upload body: MAX_METERING_USAGE_RUNS runs with long paths. */
export const MAX_METERING_USAGE_BYTES = 8 * 1024 * 1024;

/** One finished run of a metered program, as the agent recorded it (POST /api/mp/metering-usage). */
export const meteringUsageRecordSchema = z
  .object({
    ruleId: int4Id(),
    /** Stable for the run (boot id, process id, start tick): the same run sent twice is stored once. */
    usageKey: requiredText(200),
    startedAt: safeDate(),
    endedAt: safeDate(),
    userName: safeText(256),
    processId: int4(0),
    filePath: rawText(4096),
    fileVersion: safeText(128).default(''),
    /** The agent found the process gone at its start and closed the run at the last time it saw it alive. */
    endEstimated: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .refine((run) => run.endedAt.getTime() >= run.startedAt.getTime(), { path: ['endedAt'], message: 'must not be before startedAt' });
export type MeteringUsageRecord = z.infer<typeof meteringUsageRecordSchema>;
/** A run as the agent sends it (dates as ISO strings). */
export type MeteringUsageRun = z.input<typeof meteringUsageRecordSchema>;

export const meteringUsageUploadSchema = z.object({
  usage: z
    .array(meteringUsageRecordSchema)
    .min(1, 'must hold at least one run')
    .max(MAX_METERING_USAGE_RUNS, `must hold at most ${MAX_METERING_USAGE_RUNS} runs`),
});
export type MeteringUsageUpload = z.infer<typeof meteringUsageUploadSchema>;

/** The management point's answer: runs received, and how many of them were new (the rest were already stored). */
export const meteringUsageAnswerSchema = z.object({ received: z.number().int(), stored: z.number().int() });
export type MeteringUsageAnswer = z.infer<typeof meteringUsageAnswerSchema>;
