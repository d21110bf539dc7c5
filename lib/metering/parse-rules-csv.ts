import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parse, type Options } from 'csv-parse';
import { z } from 'zod';
import { unguardedCsvField } from '../csv-field';
import { meteringRuleInputSchema, type MeteringRuleInput } from './metering-rule.schema';

/** One refused row of an import: its line in the file, the field at fault and why. */
export interface ImportProblem {
  line: number;
  field: string;
  message: string;
}

export interface ParsedRulesCsv {
  rules: { line: number; input: MeteringRuleInput }[];
  problems: ImportProblem[];
}

/** Header names accepted for each field, compared without case, spaces, dashes or underscores. */
const headerAliases: Record<string, keyof MeteringRuleInput> = {
  productname: 'productName',
  product: 'productName',
  filename: 'fileName',
  file: 'fileName',
  originalfilename: 'originalFileName',
  version: 'version',
  site: 'siteCode',
  sitecode: 'siteCode',
  comment: 'comment',
  enabled: 'enabled',
};

const truthy = new Set(['true', 'yes', '1', 'y', 'enabled']);
const falsy = new Set(['false', 'no', '0', 'n', 'disabled']);

const ruleKey = (r: MeteringRuleInput) => JSON.stringify([r.siteCode, r.productName, r.fileName, r.version]);

/**
 * The separator the header row uses: a comma, or the semicolon a spreadsheet writes where the
 * comma is the decimal mark, or a tab; whichever occurs most in the first line, outside quotes.
 */
export function headerDelimiter(csv: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const char of csv) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char in counts) counts[char as keyof typeof counts]++;
  }
  return counts[';'] > counts[','] && counts[';'] >= counts['\t'] ? ';' : counts['\t'] > counts[','] ? '\t' : ',';
}

type CsvRecord = { record: string[]; info: { lines: number } };

/** Records and checked rows between turns of the event loop: some 20 ms of work. */
const ROWS_A_TURN = 2000;

/** The text in pieces of about 64 KiB, never between the two halves of a surrogate pair. */
function* pieces(text: string): Generator<string> {
  for (let start = 0; start < text.length;) {
    let end = Math.min(start + 65_536, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

/**
 * The records of CSV text, read a piece at a time and giving the event loop its turn every
 * ROWS_A_TURN records: read at once, a 2 MiB file held every console request for seconds.
 */
async function readRecords(text: string, options: Options): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of Readable.from(pieces(text)).pipe(parse(options))) {
    records.push(record as CsvRecord);
    if (records.length % ROWS_A_TURN === 0) await nextTurn();
  }
  return records;
}

/**
 * Reads software metering rules from CSV text whose first row names the columns (Product Name,
 * File Name, Original File Name, Version, Site, Comment, Enabled), separated as that row is. Each
 * row is validated on its own: a bad row is reported with its line number and reason and the good
 * rows are kept.
 * `defaultSiteCode` fills rows without a site.
 */
export async function parseRulesCsv(options: { csv: string; defaultSiteCode?: string }): Promise<ParsedRulesCsv> {
  let records: CsvRecord[];
  try {
    // CRLF read as LF: csv-parse counts a CRLF inside a quoted field as two lines, which would put
    // every later row's line number one further off.
    records = await readRecords(options.csv.replace(/\r\n/g, '\n'), {
      bom: true,
      delimiter: headerDelimiter(options.csv.replace(/^\uFEFF/, '')),
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    return { rules: [], problems: [{ line: e.lines ?? 1, field: 'csv', message: `is not readable CSV: ${e.message ?? 'parse error'}` }] };
  }
  const [header, ...rows] = records;
  if (!header) return { rules: [], problems: [{ line: 1, field: 'csv', message: 'has no header row' }] };
  const columns = header.record.map((name) => {
    const key = name.toLowerCase().replace(/[\s_-]/g, '');
    // Own names only: every object also answers "constructor".
    return Object.hasOwn(headerAliases, key) ? headerAliases[key] : null;
  });
  const problems: ImportProblem[] = header.record.flatMap((name, i) => {
    if (columns[i] === null) return [{ line: header.info.lines, field: name, message: 'is not a rule column' }];
    // Two names of one field ("File Name" and "File"): which one holds the rule's value is a guess.
    const first = columns.indexOf(columns[i]);
    return first < i ? [{ line: header.info.lines, field: name, message: `names the same column as ${header.record[first]}` }] : [];
  });
  for (const required of ['productName', 'fileName'] as const) {
    if (!columns.includes(required)) problems.push({ line: header.info.lines, field: required, message: 'column is missing from the header' });
  }
  if (problems.length) return { rules: [], problems };

  const rules: ParsedRulesCsv['rules'] = [];
  const seen = new Map<string, number>();
  for (const [index, { record, info }] of rows.entries()) {
    if (index % ROWS_A_TURN === ROWS_A_TURN - 1) await nextTurn();
    const line = info.lines;
    if (record.length > columns.length) {
      problems.push({ line, field: 'csv', message: `has ${record.length} fields, the header names ${columns.length}` });
      continue;
    }
    const raw: Record<string, unknown> = { siteCode: options.defaultSiteCode };
    columns.forEach((field, i) => {
      const value = record[i] === undefined ? undefined : unguardedCsvField(record[i]);
      if (field === null || value === undefined || value === '') return;
      raw[field] = field === 'enabled' ? (truthy.has(value.toLowerCase()) ? true : falsy.has(value.toLowerCase()) ? false : value) : value;
    });
    const parsed = meteringRuleInputSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      problems.push({ line, field: issue.path.join('.') || 'row', message: issueMessage(issue) });
      continue;
    }
    const key = ruleKey(parsed.data);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      problems.push({ line, field: 'fileName', message: `repeats the rule on line ${earlier}` });
      continue;
    }
    seen.set(key, line);
    rules.push({ line, input: parsed.data });
  }
  return { rules, problems };
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.path[0] === 'enabled') return 'must be true or false';
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'is required' : `must be ${issue.expected}`;
  return issue.message;
}

export { ruleKey as meteringRuleKey };
