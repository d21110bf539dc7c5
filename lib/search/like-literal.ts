/**
 * Prisma hands `contains`/`startsWith` to LIKE as written, so a user's "%" or "_" would act as
 * a wildcard. Escaping them (and the escape character) makes a search match its text literally.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}
