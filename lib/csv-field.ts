// What a spreadsheet would run as a formula at the start of a cell, behind any apostrophes: a text
// that already starts with apostrophes before one is guarded too, so reading back takes off only ours.
const FORMULA_START = /^'*[=+\-@\t\r]/;

/**
 * One CSV field: quoted when needed, and a leading = + - @ (which spreadsheets would run as a
 * formula) neutralised with an apostrophe, since the text (messages, device names) comes from clients.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV file: the header row, then one line per row, each line ended by CRLF. */
export function csvText(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** A field read back without the apostrophe csvField puts before = + - @ (or before an apostrophe and one), so a file it wrote reads as it was. */
export function unguardedCsvField(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}
