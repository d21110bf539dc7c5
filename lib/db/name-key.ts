/**
 * SQL for a name as a reader tells it apart — without invisible characters, in one Unicode form
 * (full-width letters, composed accents), in lower case — so "Servers", "servers" and "Ｓｅｒｖｅｒｓ"
 * compare equal. `expression` is a column or a parameter ($1).
 */
export function nameKeySql(expression: string): string {
  return `lower(normalize(regexp_replace(${expression}, '[\\u00AD\\u200B-\\u200F\\u2060\\uFEFF]', '', 'g'), NFKC))`;
}
