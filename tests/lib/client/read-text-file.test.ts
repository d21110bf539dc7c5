// Files chosen for an import: UTF-8, the Windows-1252 a spreadsheet saves "CSV" in on Windows, or
// the UTF-16 of its "Unicode Text".
import { describe, expect, it } from 'vitest';
import { decodeTextFile, readTextFile } from '@/lib/client/read-text-file';

const windows1252 = (text: string) =>
  Uint8Array.from([...text].map((c) => ({ ü: 0xfc, é: 0xe9, '€': 0x80, '™': 0x99, Ÿ: 0x9f })[c] ?? c.charCodeAt(0)));

describe('decodeTextFile', () => {
  it('reads UTF-8, keeping a byte order mark for the CSV reader to skip', () => {
    expect(decodeTextFile(new TextEncoder().encode('\uFEFFProduct;File\nBüro;büro\n'))).toBe('\uFEFFProduct;File\nBüro;büro\n');
  });

  it('reads a file that is not UTF-8 as Windows-1252', async () => {
    const bytes = windows1252('Product;File\nBüro Suite € ™ Ÿ;buero\nCafé;cafe\n');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(decodeTextFile(bytes)).toBe('Product;File\nBüro Suite € ™ Ÿ;buero\nCafé;cafe\n');
    expect(await readTextFile(new Blob([bytes]))).toBe('Product;File\nBüro Suite € ™ Ÿ;buero\nCafé;cafe\n');
  });

  it('reads the UTF-16 with a byte order mark of a spreadsheet\'s "Unicode Text", tab-separated', async () => {
    const text = '\uFEFFProduct\tFile\r\nBüro Suite €\tbuero\r\n';
    const utf16le = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) new DataView(utf16le.buffer).setUint16(i * 2, text.charCodeAt(i), true);
    expect(decodeTextFile(utf16le)).toBe(text);
    const utf16be = new Uint8Array(text.length * 2);
    for (let i = 0; i < text.length; i++) new DataView(utf16be.buffer).setUint16(i * 2, text.charCodeAt(i), false);
    expect(await readTextFile(new Blob([utf16be]))).toBe(text);
  });
});
