/**
 * Where to send a user after sign-in or a password change (`?next=` of those pages): a path of
 * this site, or `/`. The check is the browser's own reading of the address, so what it takes for
 * another host (`//host`, `/\host`, a tab or newline between the slashes) never leaves the site;
 * a repeated `next` is not a path either.
 */
export function returnPath(next: string | string[] | undefined): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  const base = 'http://return-path.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return '/';
  }
  return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : '/';
}
