const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text PostgreSQL stores in any column: lone UTF-16 surrogates and NUL become U+FFFD, and it is
 * cut to `maxLength`. For what describes a poison item (its key, the error), which must not
 * poison the quarantine or the status message that names it.
 */
export function storableText(text: string, maxLength = 4000): string {
  // Cut first: a cut inside a surrogate pair leaves half an emoji, which the cleaning then replaces.
  const cut = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return cut.replace(LONE_SURROGATE, '\uFFFD').replaceAll('\0', '\uFFFD');
}

/**
 * An item as JSON text that a text column accepts: JSON.stringify escapes lone surrogates
 * (\udfff) and NUL (\u0000), so the stored text parses back to exactly the item.
 */
export function storablePayload(item: unknown): string {
  return JSON.stringify(item ?? null);
}
