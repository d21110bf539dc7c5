/**
 * Windows-1252's characters for the bytes 0x80–0x9F, where it differs from Latin-1 (five bytes it
 * leaves undefined keep their code points, as the WHATWG encoding standard says). Browsers decode
 * them so already; Node's TextDecoder reads the label as Latin-1, so they are mapped here.
 */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

/**
 * A text file the browser was given, as text: UTF-8 (a byte order mark is left for the reader to
 * skip), else Windows-1252, the encoding a spreadsheet on Windows saves "CSV" in unless told
 * "CSV UTF-8" — so "Büro" stays "Büro" instead of becoming replacement characters. A file that
 * starts with UTF-16's byte order mark (a spreadsheet's tab-separated "Unicode Text") is read as
 * UTF-16, where Windows-1252 would put a NUL between its letters.
 */
export function decodeTextFile(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const utf16 = view[0] === 0xff && view[1] === 0xfe ? 'utf-16le' : view[0] === 0xfe && view[1] === 0xff ? 'utf-16be' : null;
  if (utf16) return new TextDecoder(utf16, { ignoreBOM: true }).decode(view);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes).replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]);
  }
}

/** Reads a chosen file as decodeTextFile does. */
export async function readTextFile(file: Blob): Promise<string> {
  return decodeTextFile(await file.arrayBuffer());
}
