/**
 * The site's address for the install commands, which run on another computer: the host the
 * browser reached (behind a proxy, as the proxy says), except that a browser on the site server
 * itself (localhost, 127.x, [::1]) gets the server's name, since "localhost" on a client is the
 * client. Over HTTPS whenever the site serves it.
 */
export function installSiteUrl(options: { reachedHost: string | null; forwardedProto: string | null; secure: boolean; serverName: string }): string {
  const reached = options.reachedHost ?? 'localhost:3000';
  const local = /^(localhost|127\.[\d.]+|\[::1\])(:\d+)?$/i.exec(reached);
  const host = local ? `${options.serverName}${local[2] ?? ''}` : reached;
  return `${options.secure || options.forwardedProto === 'https' ? 'https' : 'http'}://${host}`;
}
