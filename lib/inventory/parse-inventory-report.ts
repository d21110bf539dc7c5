import { inventoryReportSchema, isInstallDate, MAX_SOFTWARE_ROWS, rowSourceSchema, type InventoryReport } from '../protocol/inventory.schema';
import { unstorableTextReason } from '../validation/primitives';

/**
 * Parses an inventory report exactly as inventoryReportSchema does, fast.
 *
 * A full report holds about 1,500 package rows, and zod takes ~12 ms to check them one element
 * at a time: at 10,000 reports that is two minutes of a management point's (and again the
 * loader's) CPU. So the package rows are checked by a plain loop that accepts only what the
 * schema accepts, and zod checks the rest of the report (header, hardware) with the rows left
 * out. Anything the loop does not accept goes through the whole schema, so a refused report
 * gets zod's own ZodError naming the field, and a loop that is stricter than zod only costs time.
 */
export function parseInventoryReport(input: unknown): InventoryReport {
  const fast = parseFast(input);
  return fast ?? inventoryReportSchema.parse(input);
}

function parseFast(input: unknown): InventoryReport | null {
  if (!isObject(input) || !isObject(input.software)) return null;
  const software = input.software;
  let rows: { packages?: unknown[]; added?: unknown[]; removed?: unknown[] };
  if (input.kind === 'full') {
    if (!validRows(software.packages, 4)) return null;
    rows = { packages: software.packages as unknown[] };
  } else if (input.kind === 'delta') {
    if (!validRows(software.added, 4) || !validRows(software.removed, 3)) return null;
    rows = { added: software.added as unknown[], removed: software.removed as unknown[] };
  } else {
    return null;
  }
  const empty = Object.fromEntries(Object.keys(rows).map((k) => [k, []]));
  const envelope = inventoryReportSchema.safeParse({ ...input, software: { ...software, ...empty } });
  if (!envelope.success || !envelope.data.software) return null;
  // The rows were checked as they are: tuples of strings and null, nothing to strip.
  Object.assign(envelope.data.software, rows);
  return envelope.data;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Text the quick test passes holds no NUL and no surrogate at all, so it is storable; the rest
// is asked of the schema's own rule.
const MAYBE_UNSTORABLE = /[\0\uD800-\uDFFF]/;

function text(value: unknown, max: number, min: number): boolean {
  if (typeof value !== 'string' || value.length > max || value.length < min) return false;
  return !MAYBE_UNSTORABLE.test(value) || unstorableTextReason(value) === null;
}

const ROW_SOURCES: ReadonlySet<unknown> = new Set(rowSourceSchema.options);

// The few install dates a fleet has, once checked.
const goodDates = new Set<string>();

function installDate(value: unknown): boolean {
  if (value === null) return true;
  if (typeof value !== 'string') return false;
  if (goodDates.has(value)) return true;
  // The schema's own rule.
  const ok = isInstallDate(value);
  if (ok && goodDates.size < 100_000) goodDates.add(value);
  return ok;
}

/**
 * [name, version, arch] (width 3) or [name, version, arch, install date] with the row's own
 * source or none (width 4), as softwareKeySchema/softwareRowSchema.
 */
function validRows(value: unknown, width: 3 | 4): boolean {
  if (!Array.isArray(value) || value.length > MAX_SOFTWARE_ROWS) return false;
  for (const row of value as unknown[]) {
    if (!Array.isArray(row) || (row.length !== width && !(width === 4 && row.length === 5 && ROW_SOURCES.has(row[4])))) return false;
    if (!text(row[0], 256, 1) || !text(row[1], 256, 0) || !text(row[2], 32, 0)) return false;
    if (width === 4 && !installDate(row[3])) return false;
  }
  return true;
}
