import { z } from 'zod';
import { decodeCursorParts, INT4_MAX, int8IdParam, isStorableDate, parseIsoDate, safeDate, safeText } from '../validation/primitives';
import { messageSourceSchema, messageTypeSchema, severitySchema } from '../reporting/status-message.schema';

const splitList = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** `a,b` or a repeated parameter (each value may itself be `a,b`), as a list. */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? splitList(v) : Array.isArray(v) && v.every((s) => typeof s === 'string') ? v.flatMap(splitList) : v),
    z.array(item).min(1).max(10),
  );

const optionalTrimmed = (max: number) => z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), safeText(max).optional());

/** Time ranges measured back from the moment a list is read, so a reload shows the latest hour (and a saved query can keep one). */
export const statusMessageRanges = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type StatusMessageRange = keyof typeof statusMessageRanges;

/** The viewer's filters, as query parameters (every one optional). Each names the field it refuses. */
export const statusMessageFilterFieldsSchema = z.object({
  /** Received within the last hour, 24 hours, 7 or 30 days, as of each read. */
  range: z
    .enum(Object.keys(statusMessageRanges) as [StatusMessageRange, ...StatusMessageRange[]], { error: 'must be 1h, 24h, 7d or 30d' })
    .optional(),
  /** Received at or after (ISO date-time). */
  from: safeDate().optional(),
  /** Received before (ISO date-time). */
  to: safeDate().optional(),
  severity: list(severitySchema).optional(),
  type: messageTypeSchema.optional(),
  source: messageSourceSchema.optional(),
  component: optionalTrimmed(128),
  system: optionalTrimmed(255),
  site: z
    .string()
    .regex(/^[A-Z0-9]{3}$/, 'must be a 3-character site code')
    .optional(),
  // Left empty it filters on nothing, as the text fields do; z.coerce read it as message 0 (and 0x1F as 31).
  messageId: z
    .preprocess(
      (v) => (typeof v !== 'string' ? v : v.trim() === '' ? undefined : /^\s*\d+\s*$/.test(v) ? Number(v) : v),
      z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(INT4_MAX, 'is too large').optional(),
    )
    .optional(),
  /** With propertyValue: messages whose attribute property has that value. */
  propertyName: optionalTrimmed(64),
  propertyValue: optionalTrimmed(4096),
});

/** Filters each valid alone that no message could pass together, each naming its field. */
export function filterCombinationIssues(f: z.infer<typeof statusMessageFilterFieldsSchema>): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  if (f.propertyValue !== undefined && f.propertyName === undefined) issues.push({ path: 'propertyName', message: 'is required with propertyValue' });
  if (f.from && f.to && f.from >= f.to) issues.push({ path: 'to', message: 'must be after from' });
  return issues;
}

export const statusMessageFiltersSchema = statusMessageFilterFieldsSchema.superRefine((f, ctx) => {
  for (const issue of filterCombinationIssues(f)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
});
export type StatusMessageFilters = z.infer<typeof statusMessageFiltersSchema>;
export type StatusMessageFilterField = keyof z.infer<typeof statusMessageFilterFieldsSchema>;
export const statusMessageFilterFields = Object.keys(statusMessageFilterFieldsSchema.shape) as StatusMessageFilterField[];

/** Where the next page starts: after this (receivedAt, id) in descending order. */
export interface StatusMessageCursor {
  receivedAt: string;
  id: string;
}

export function encodeCursor(cursor: StatusMessageCursor): string {
  return Buffer.from(`${cursor.receivedAt}|${cursor.id}`, 'utf8').toString('base64url');
}

// Both parts go into SQL as they are: the time must be one PostgreSQL reads, the id one bigint holds.
const cursorSchema = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const [receivedAt, id] = decodeCursorParts(value, 2) ?? [];
    const time = receivedAt ? parseIsoDate(receivedAt) : null;
    if (!time || !isStorableDate(time) || !id || !int8IdParam().safeParse(id).success) {
      ctx.addIssue({ code: 'custom', message: 'is not a cursor this API gave out' });
      return z.NEVER;
    }
    return { receivedAt, id };
  });

const listParameters = statusMessageFilterFieldsSchema.extend({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: cursorSchema.optional(),
  /** A built-in ("builtin:...") or saved (numeric) Status Message Query; its prompts come as prompt.<field>. */
  query: safeText(64).optional(),
});
const listParameterNames = new Set<string>([...Object.keys(listParameters.shape), ...statusMessageFilterFields.map((f) => `prompt.${f}`)]);

/**
 * A page request: filters, page size and the cursor of the previous page; or a saved query with
 * its prompted values (`prompt.<field>`, read by promptValues). A parameter it does not know
 * (`Severity`, `severity[]`) is refused naming it: dropped unseen, its filter would list, and
 * export, every message.
 */
export const listStatusMessagesQuerySchema = z.preprocess((input, ctx) => {
  if (input && typeof input === 'object') {
    for (const key of Object.keys(input)) {
      if (!listParameterNames.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'is not a filter of this list', input });
      // The schema leaves prompts to promptValues, which would keep the last answer alone.
      else if (key.startsWith('prompt.') && Array.isArray((input as Record<string, unknown>)[key]))
        ctx.addIssue({ code: 'custom', path: [key], message: 'is given more than once', input });
    }
  }
  return input;
}, listParameters);
export type ListStatusMessagesQuery = z.infer<typeof listStatusMessagesQuerySchema>;

/** A stored status message as the API returns it. */
export interface StatusMessageView {
  id: string;
  uid: string;
  messageId: number;
  severity: string;
  type: string;
  source: string;
  siteCode: string;
  systemName: string;
  component: string;
  sourceTime: string;
  receivedAt: string;
  processId: number | null;
  threadId: number | null;
  insertionStrings: string[];
  properties: Record<string, string>;
  expiresAt: string;
  /** The catalog's description with the insertion strings in place: plain text, never HTML. */
  description: string;
}

/** A Status Message Query's prompted values, sent as `prompt.<field>=value`. */
export function promptValues(params: URLSearchParams): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of params) if (key.startsWith('prompt.')) values[key.slice('prompt.'.length)] = value;
  return values;
}
