import { z } from 'zod';
import './plain-messages';

/**
 * Boundary primitives: every value a route, socket event, agent payload or worker input takes is
 * held to what its PostgreSQL column can store, so a value the database cannot hold is refused at
 * the door naming its field — never found later as a 500 or a batch that keeps failing.
 */

/** Largest value of an `integer` (int4, Prisma `Int`) column. */
export const INT4_MAX = 2_147_483_647;
/** Largest value of a `bigint` (int8, Prisma `BigInt`) column. */
export const INT8_MAX = 9_223_372_036_854_775_807n;

/** The earliest and latest instants accepted: inside timestamptz's range, and printed as plain ISO. */
export const EARLIEST_DATE = new Date('0001-01-01T00:00:00.000Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59.999Z');

export function isInt4Id(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 1 && value <= INT4_MAX;
}

/** An object as JSON.parse or an object literal makes it (not an array, a Date or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

// ---------------------------------------------------------------------------- text

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNPAIRED_SURROGATES = new RegExp(UNPAIRED_SURROGATE.source, 'g');

// String.prototype.isWellFormed (ES2024) says the same as the regex without running one; the
// regex stays for engines that lack it. Every string field of every message passes here.
const isWellFormed: (value: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (value) => (value as string & { isWellFormed(): boolean }).isWellFormed()
    : (value) => !UNPAIRED_SURROGATE.test(value);

/** Why PostgreSQL could not store `value` as text or jsonb, or null when it can. */
export function unstorableTextReason(value: string): string | null {
  if (value.includes('\0')) return 'must not contain NUL characters';
  if (!isWellFormed(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/**
 * `value` (plain JSON data) with every NUL and unpaired surrogate in its strings and keys replaced
 * by U+FFFD, the length unchanged: for text a machine produced (a program's output, a file name, a
 * value cut at a character limit that fell inside a surrogate pair), which is kept as well as the
 * database can hold it rather than refused whole.
 */
export function withStorableText<T>(value: T): T {
  if (typeof value === 'string')
    return (unstorableTextReason(value) === null ? value : value.replaceAll('\0', '\uFFFD').replace(UNPAIRED_SURROGATES, '\uFFFD')) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withStorableText(item)) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [withStorableText(k), withStorableText(v)])) as T;
  return value;
}

function refineStorable(value: string, ctx: z.RefinementCtx) {
  const reason = unstorableTextReason(value);
  if (reason) ctx.addIssue({ code: 'custom', message: reason });
}

/** A string the database can store: no NUL, no unpaired surrogate. Chain `.min`/`.max` checks first. */
export function storable<T extends z.ZodType<string>>(schema: T) {
  return schema.superRefine(refineStorable);
}

/** Text up to `max` characters, trimmed, that a text column can hold. */
export function safeText(max: number) {
  return storable(z.string().trim().max(max, `must be at most ${max} characters`));
}

/** Like safeText, and at least one character once trimmed. */
export function requiredText(max: number) {
  return storable(z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`));
}

/** Untrimmed text (secrets, command arguments, patterns) a text column can hold. */
export function rawText(max: number) {
  return storable(z.string().max(max, `must be at most ${max} characters`));
}

// ---------------------------------------------------------------------------- free-form JSON

export const MAX_JSON_DEPTH = 8;

/**
 * The first place in `value` (a parsed JSON value) that a jsonb or text column cannot hold —
 * a NUL or unpaired surrogate in a key or a string, a number JSON cannot carry, nesting deeper
 * than `maxDepth` — as its path and reason, or null.
 */
export function findUnstorable(value: unknown, maxDepth = MAX_JSON_DEPTH, path: PropertyKey[] = []): { path: PropertyKey[]; message: string } | null {
  if (typeof value === 'string') {
    const reason = unstorableTextReason(value);
    return reason ? { path, message: reason } : null;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? null : { path, message: 'must be a finite number' };
  if (value === null || typeof value !== 'object' || value instanceof Date) return null;
  if (path.length >= maxDepth) return { path, message: `must not nest deeper than ${maxDepth} levels` };
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    if (typeof key === 'string') {
      const reason = unstorableTextReason(key);
      if (reason) return { path: [...path, key], message: `name ${reason}` };
    }
    const found = findUnstorable(child, maxDepth, [...path, key]);
    if (found) return found;
  }
  return null;
}

/** Any JSON value a jsonb column can hold, nested at most `maxDepth` levels. */
export function safeJson(maxDepth = MAX_JSON_DEPTH) {
  return z.unknown().superRefine((value, ctx) => {
    const found = findUnstorable(value, maxDepth);
    if (found) ctx.addIssue({ code: 'custom', path: found.path, message: found.message });
  });
}

/**
 * A flat record of text properties (names and values both storable), as status messages carry:
 * names 1 to `maxKey` characters, values up to `maxValue`.
 */
export function safeRecord(options: { maxKey: number; maxValue: number; maxEntries?: number }) {
  const record = z.record(rawText(options.maxKey).min(1, 'names must not be empty'), rawText(options.maxValue));
  if (options.maxEntries === undefined) return record;
  const most = options.maxEntries;
  return record.refine((r) => Object.keys(r).length <= most, `must have at most ${most} entries`);
}

// ---------------------------------------------------------------------------- ids

/** An id of an `Int` column, as JSON carries it. */
export function int4Id(message = 'must be a positive whole number up to 2147483647') {
  return z.number({ error: message }).int(message).min(1, message).max(INT4_MAX, message);
}

/** An id of an `Int` column from a path or query string: digits only, within the column's range. */
export function int4IdParam(message = 'must be a positive whole number up to 2147483647') {
  return z
    .string({ error: message })
    .trim()
    .regex(/^\d{1,10}$/, message)
    .transform(Number)
    .refine((n) => n >= 1 && n <= INT4_MAX, message);
}

/** An id of a `BigInt` column from a path or query string, kept as its decimal text. */
export function int8IdParam(message = 'must be a positive whole number up to 9223372036854775807') {
  return (
    z
      .string({ error: message })
      .trim()
      // Abort on anything but digits: the range check would throw in BigInt() (a 500, not a 400).
      .regex(/^\d{1,19}$/, { message, abort: true })
      .refine((s) => BigInt(s) >= 1n && BigInt(s) <= INT8_MAX, message)
      .transform((s) => BigInt(s).toString())
  );
}

/**
 * A whole number from a query string, between `min` and `max`: text that is no number at all is
 * refused with the same words as a fraction ("must be a whole number"), not zod's "received NaN".
 */
export function wholeNumberParam(min: number, max: number, noun = 'a whole number') {
  return z.coerce
    .number({ error: `must be ${noun}` })
    .int(`must be ${noun}`)
    .min(min, `must be ${min} or more`)
    .max(max, `must be ${max} or less`);
}

/** A whole number an `integer` column can hold, between `min` and `max` (inside int4). */
export function int4(min = -INT4_MAX - 1, max = INT4_MAX) {
  // No number at all (an empty form field arrives as null) is refused in the same words as a fraction.
  return z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be ${min} or more`)
    .max(max, `must be ${max} or less`);
}

// ---------------------------------------------------------------------------- dates

const ISO_DATE_TIME = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** The number written in `count` digits from `start`, or -1 when one of them is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether `text` (24 characters) has the separators of `YYYY-MM-DDTHH:mm:ss.sssZ`. */
function isCanonicalLayout(text: string): boolean {
  return text[4] === '-' && text[7] === '-' && text[10] === 'T' && text[13] === ':' && text[16] === ':' && text[19] === '.' && text[23] === 'Z';
}

/** `YYYY-MM-DDTHH:mm:ss.sssZ` as a Date when every part is a digit and real, else null. */
function readCanonicalIso(text: string): Date | null {
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  const ms = digitsAt(text, 20, 3);
  if (year < 0 || hour < 0 || minute < 0 || second < 0 || ms < 0) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
  // Date.UTC reads years 0–99 as 1900–1999.
  if (year < 100) date.setUTCFullYear(year, month - 1, day);
  return date;
}

/**
 * Reads an ISO 8601 date or date-time whose every part is real: month 1–12, a day the month has
 * (no February 30), hour 0–23, minute and second 0–59. Returns null for anything else, where
 * `new Date()` would roll `2026-13-45T99:00` over into 2027. Without a zone, a date is UTC and a
 * date-time local, as in JavaScript.
 */
export function parseIsoDate(text: string): Date | null {
  // The form toISOString writes (what agents and servers send, once per status message): read
  // digit by digit, without a regular expression or the engine's date parser.
  if (text.length === 24 && isCanonicalLayout(text)) return readCanonicalIso(text);
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '00', fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (h === undefined) return new Date(`${y}-${mo}-${d}T00:00:00.000Z`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  let offset = '';
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    if (Number(digits.slice(1, 3)) > 23 || Number(digits.slice(3, 5)) > 59) return null;
    offset = `${digits.slice(0, 3)}:${digits.slice(3, 5)}`;
  } else if (zone) {
    offset = 'Z';
  }
  // Rebuilt in the one form every engine reads the same way (colon in the offset, upper-case T and Z).
  const ms = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Whether `date` is a real instant timestamptz holds (years 1 to 9999). */
export function isStorableDate(date: Date): boolean {
  const t = date.getTime();
  return !Number.isNaN(t) && t >= EARLIEST_DATE.getTime() && t <= LATEST_DATE.getTime();
}

/**
 * A date-time as an API receives it — an ISO 8601 string (or, from code, a Date or epoch
 * milliseconds) — that is a real calendar date between the years 1 and 9999.
 */
export function safeDate(message = 'must be a real date and time (ISO 8601) between the years 1 and 9999') {
  return z.union([z.string(), z.number(), z.date()], { error: message }).transform((value, ctx) => {
    const date = typeof value === 'string' ? parseIsoDate(value) : typeof value === 'number' ? new Date(value) : new Date(value.getTime());
    if (!date || !isStorableDate(date)) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return date;
  });
}

/** An ISO date-time string that is a real, storable instant; kept as the string it was sent as. */
export function safeIsoString(message = 'must be a real date and time (ISO 8601) between the years 1 and 9999') {
  return z.iso.datetime({ offset: true, error: message }).refine((v) => {
    const date = parseIsoDate(v);
    return date !== null && isStorableDate(date);
  }, message);
}

// ---------------------------------------------------------------------------- cursors

/** Decodes a base64url cursor of `parts` fields joined by `|`, or null when it is not one. */
export function decodeCursorParts(value: string, parts: number): string[] | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null;
  const fields = Buffer.from(value, 'base64url').toString('utf8').split('|');
  return fields.length === parts && fields.every(Boolean) ? fields : null;
}
