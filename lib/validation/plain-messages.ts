import { z } from 'zod';

/**
 * Messages for what a schema refuses, in the words of the project's own ("must be at most 10",
 * "is required") instead of zod's ("Too big: expected number to be <=10"). They read after a
 * field's name or under its input: every API error names the field, every form shows the message
 * beside it. A schema's own message still wins; zod's wording stays for anything not listed.
 */
export function plainMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return typeNames[issue.expected] ?? undefined;
    case 'too_big':
      return bound('most', issue.origin, issue.maximum, issue.inclusive);
    case 'too_small':
      if (issue.minimum === 1 && issue.inclusive !== false && (issue.origin === 'string' || issue.origin === 'array'))
        return issue.origin === 'string' ? 'is required' : 'must have at least one item';
      return bound('least', issue.origin, issue.minimum, issue.inclusive);
    case 'invalid_value':
      return issue.values.length === 1 ? `must be ${show(issue.values[0])}` : `must be one of ${issue.values.map(show).join(', ')}`;
    case 'unrecognized_keys':
      return `has ${issue.keys.length === 1 ? 'an unknown field' : 'unknown fields'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_format':
      return formatNames[issue.format] ?? 'is not in the expected form';
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return 'is not valid';
    default:
      return undefined;
  }
}

const typeNames: Record<string, string> = {
  string: 'must be text',
  number: 'must be a number',
  int: 'must be a whole number',
  bigint: 'must be a whole number',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be an object',
  // A record is an object keyed by name (a query's criteria, a message's properties), as JSON carries it.
  record: 'must be an object',
  tuple: 'must be a list',
  date: 'must be a date',
  null: 'must be null',
};

const formatNames: Record<string, string> = {
  email: 'must be an email address',
  url: 'must be a URL',
  uuid: 'must be a UUID',
  datetime: 'must be a date and time (ISO 8601, e.g. 2026-12-07T09:30:00Z)',
  date: 'must be a date (YYYY-MM-DD)',
  time: 'must be a time (HH:MM:SS)',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
};

function bound(side: 'most' | 'least', origin: string, limit: number | bigint | Date, inclusive: boolean | undefined): string | undefined {
  const n = limit instanceof Date ? limit.toISOString() : String(limit);
  switch (origin) {
    case 'string':
      return `must be at ${side} ${n} character${n === '1' ? '' : 's'} long`;
    case 'array':
    case 'set':
      return `must have at ${side} ${n} item${n === '1' ? '' : 's'}`;
    case 'number':
    case 'bigint':
      if (inclusive === false) return side === 'most' ? `must be less than ${n}` : `must be more than ${n}`;
      return `must be at ${side} ${n}`;
    case 'date':
      return side === 'most' ? `must be no later than ${n}` : `must be no earlier than ${n}`;
    // Beyond the safe integer range an `.int()` checks before any bound of the schema's own.
    case 'int':
      return side === 'most' ? 'is too large' : 'is too small';
    default:
      return undefined;
  }
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

z.config({ customError: plainMessage });
