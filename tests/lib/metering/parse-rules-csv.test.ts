// Reading metering rules from CSV as spreadsheets write it: commas, or semicolons where the comma
// is the decimal mark, or tabs; with a byte order mark and CRLF line ends.
import { describe, expect, it } from 'vitest';
import { headerDelimiter, parseRulesCsv } from '@/lib/metering/parse-rules-csv';

const rulesOf = (csv: string) => parseRulesCsv({ csv, defaultSiteCode: 'S01' });

describe('metering rules from CSV', () => {
  it.each([
    ['Product Name,File Name,Version\r\nA;B,c,*', ','],
    ['Product Name;File Name;Version\r\n"A, Inc.";a;*', ';'],
    ['"Product, Name";"File, Name"\n', ';'],
    ['Product Name\tFile Name\tVersion\n', '\t'],
    ['Product\n', ','],
  ])('takes the separator the header row uses, outside quotes: %j', (csv, separator) => {
    expect(headerDelimiter(csv)).toBe(separator);
  });

  it('reads a semicolon file as a spreadsheet saves it, with its line numbers', async () => {
    const csv =
      '\uFEFFProduct Name;File Name;Version;Enabled\r\n"Editor, Pro; 64-bit";editor;2.*;yes\r\nBrowser;firefox;*;no\r\n;missing-product;*;yes\r\n';
    const parsed = await rulesOf(csv);
    expect(parsed.rules.map((r) => [r.line, r.input.productName, r.input.fileName, r.input.version, r.input.enabled])).toEqual([
      [2, 'Editor, Pro; 64-bit', 'editor', '2.*', true],
      [3, 'Browser', 'firefox', '*', false],
    ]);
    expect(parsed.problems.map((p) => [p.line, p.field])).toEqual([[4, 'productName']]);
  });

  it.each(['\n', '\r\n'])('numbers the rows after a field that holds a line break by the lines they are on (%j)', async (nl) => {
    const csv = ['Product,File,Comment', `A,a,"two${nl}lines"`, 'B,b,', ',c,', 'D,d,'].join(nl) + nl;
    const parsed = await rulesOf(csv);
    expect(parsed.rules.map((r) => [r.line, r.input.productName, r.input.comment])).toEqual([
      [3, 'A', 'two\nlines'],
      [4, 'B', ''],
      [6, 'D', ''],
    ]);
    expect(parsed.problems.map((p) => [p.line, p.field])).toEqual([[5, 'productName']]);
  });

  it('reads a tab-separated file, and a comma file as before', async () => {
    expect((await rulesOf('Product\tFile\nEditor\teditor\n')).rules.map((r) => [r.input.productName, r.input.fileName])).toEqual([
      ['Editor', 'editor'],
    ]);
    expect((await rulesOf('Product,File,Comment\nEditor,editor,"a; b"\n')).rules.map((r) => [r.input.productName, r.input.comment])).toEqual([
      ['Editor', 'a; b'],
    ]);
  });
  it('refuses a header naming a rule column twice, instead of keeping the last and dropping the other', async () => {
    expect(await rulesOf('Product Name,File Name,File\nA,/opt/a/bin/a,b\n')).toEqual({
      rules: [],
      problems: [{ line: 1, field: 'File', message: 'names the same column as File Name' }],
    });
  });

  it('refuses a header column named like a property every object has, as any other name no rule column has', async () => {
    expect(await rulesOf('Product Name,File Name,Constructor\nA,a,b\n')).toEqual({
      rules: [],
      problems: [{ line: 1, field: 'Constructor', message: 'is not a rule column' }],
    });
  });

  it('drops the apostrophe an export puts before = + - @, and keeps any other', async () => {
    const parsed = await rulesOf("Product,File,Comment\n'@Risk,risk,'=SUM(A1)\n'Quoted',quoted,'-\n");
    expect(parsed.rules.map((r) => [r.input.productName, r.input.comment])).toEqual([
      ['@Risk', '=SUM(A1)'],
      ["'Quoted'", '-'],
    ]);
  });

  it('gives the event loop its turns while it reads a large file, and reads it whole', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `Product ${i} \u{1F4BB},file-${i}`);
    let turns = 0;
    const ticking = setInterval(() => turns++, 0);
    try {
      const parsed = await rulesOf(['Product,File', ...rows].join('\n'));
      expect(parsed.rules).toHaveLength(20_000);
      // Read in pieces: none split a character, whatever piece it fell across.
      expect(parsed.rules.every((r, i) => r.input.productName === `Product ${i} \u{1F4BB}`)).toBe(true);
      expect(parsed.rules.at(-1)!.line).toBe(20_001);
    } finally {
      clearInterval(ticking);
    }
    expect(turns).toBeGreaterThan(5);
  });

  it('names the line of CSV it cannot read', async () => {
    expect(await rulesOf('Product,File\nA,a\nB,"unclosed\n')).toMatchObject({ rules: [], problems: [{ field: 'csv', line: 3 }] });
  });
});
