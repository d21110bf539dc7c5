import { z } from 'zod';
import { INT4_MAX, int4IdParam, parseIsoDate, rawText, safeDate, safeText } from '../validation/primitives';
import { severitySchema } from '../reporting/status-message.schema';

export const displayIntervalSchema = z.enum(['SINCE_MIDNIGHT', 'SINCE_SUNDAY', 'SINCE_DATE', 'SINCE_RESET'], {
  error: 'must be one of SINCE_MIDNIGHT, SINCE_SUNDAY, SINCE_DATE, SINCE_RESET',
});
export type DisplayInterval = z.infer<typeof displayIntervalSchema>;

export const displayIntervalLabels: Record<DisplayInterval, string> = {
  SINCE_MIDNIGHT: 'Since midnight',
  SINCE_SUNDAY: 'Since Sunday',
  SINCE_DATE: 'Since a date and time',
  SINCE_RESET: 'Since the counts were last reset',
};

/** A wall-clock time of the site's zone on a whole hour: counts are kept per local hour, so this start is exact. */
export const localHourSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:00$/, 'must be a date and a whole hour, like 2026-11-22T14:00')
  // A month 13 or a February 30 would roll over into another date; refused instead.
  .refine((v) => !v.startsWith('0000') && parseIsoDate(v) !== null, 'must be a real date and hour, like 2026-11-22T14:00');

const siteCode = z.string().regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code');

const intervalFields = {
  site: siteCode.optional(),
  interval: displayIntervalSchema.optional(),
  since: localHourSchema.optional(),
};
const sinceWithDate = (q: { interval?: DisplayInterval; since?: string }, ctx: z.RefinementCtx) => {
  if (q.interval === 'SINCE_DATE' && !q.since) ctx.addIssue({ code: 'custom', path: ['since'], message: 'is required with SINCE_DATE' });
};

/** A display interval as a view asks for it; `since` only with SINCE_DATE. */
export const intervalQuerySchema = z.object(intervalFields).superRefine(sinceWithDate);
export type IntervalQuery = z.infer<typeof intervalQuerySchema>;

/**
 * The Component Status view's request: an interval, a filter, and a window of the components in
 * the view's order (Critical first, then Warning, then OK; by site system and name within each).
 */
export const componentStatusQuerySchema = z
  .object({
    ...intervalFields,
    /** Part of a component's or site system's name, any case. */
    search: safeText(128).optional(),
    /** Only Warning and Critical components. */
    problems: z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .transform((v) => v === 'true')
      .optional(),
    offset: z.coerce.number({ error: 'must be a number' }).int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number({ error: 'must be a number' }).int().min(1).max(1000).default(200),
  })
  .superRefine(sinceWithDate);
export type ComponentStatusQuery = z.input<typeof componentStatusQuerySchema>;

/** The Status Summarizers page's display interval form. */
export const summarizerSettingsInputSchema = z
  .object({
    site: siteCode,
    displayInterval: displayIntervalSchema,
    since: localHourSchema.nullable().default(null),
  })
  .superRefine((q, ctx) => {
    if (q.displayInterval === 'SINCE_DATE' && !q.since)
      ctx.addIssue({ code: 'custom', path: ['since'], message: 'is required with Since a date and time' });
  });
export type SummarizerSettingsInput = z.infer<typeof summarizerSettingsInputSchema>;

/**
 * A whole number as JSON or as the digits a form field holds. z.coerce would read true as 1 and
 * an empty field as 0, storing an override for message 0 instead of refusing the field.
 */
const formNumber = () =>
  z.preprocess((v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v), z.number({ error: 'must be a number' }));

const count = formNumber().pipe(z.number().int('must be a whole number').min(1, 'must be at least 1').max(1_000_000, 'must be at most 1,000,000'));

/**
 * A threshold override: for one component (any site's, or one site's), and optionally only for
 * one message ID. Without a message ID it replaces the site-wide threshold of its severity; with
 * one, messages of that ID are judged by it alone.
 */
export const thresholdOverrideInputSchema = z
  .object({
    siteCode: siteCode.nullable().default(null),
    component: safeText(128)
      .nullable()
      .default(null)
      .transform((v) => (v ? v : null)),
    messageId: formNumber().pipe(z.number().int().min(0).max(INT4_MAX)).nullable().default(null),
    severity: severitySchema,
    warningAt: count,
    criticalAt: count,
  })
  .superRefine((t, ctx) => {
    if (t.warningAt >= t.criticalAt)
      ctx.addIssue({ code: 'custom', path: ['warningAt'], message: `must be lower than Critical at (${t.criticalAt})` });
    if (t.component === null && t.messageId === null) {
      ctx.addIssue({
        code: 'custom',
        path: ['component'],
        message: 'is required unless a message ID is given (site-wide thresholds are site settings)',
      });
    }
  });
export type ThresholdOverrideInput = z.infer<typeof thresholdOverrideInputSchema>;

/**
 * PUT /api/summarizers/thresholds/:id: the override as it should be, and the version the form was
 * opened on (`baseUpdatedAt`, the override's `updatedAt` as read), so an edit made before someone
 * else's is refused rather than putting back what they changed. Without it the override is replaced as it is.
 */
export const thresholdOverrideEditSchema = thresholdOverrideInputSchema.safeExtend({ baseUpdatedAt: safeDate().optional() });
export type ThresholdOverrideEdit = z.infer<typeof thresholdOverrideEditSchema>;

export const thresholdParamsSchema = z.object({ id: int4IdParam() });

export const resetCountsInputSchema = z.object({
  site: siteCode,
  /** Omit both to reset every component of the site. */
  systemName: rawText(255).min(1).optional(),
  component: rawText(128).min(1).optional(),
});
export type ResetCountsInput = z.infer<typeof resetCountsInputSchema>;

export const healthSchema = z.enum(['OK', 'WARNING', 'CRITICAL']);
export type Health = z.infer<typeof healthSchema>;
