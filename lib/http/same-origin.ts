/**
 * Whether a browser's request comes from this site: its Origin (sent on cross-site requests and
 * on every WebSocket handshake) names the host it was sent to. No Origin: not a browser's
 * cross-site request, so nothing to refuse.
 */
export function isSameOrigin(options: { origin: string | null | undefined; host: string | null | undefined }): boolean {
  if (!options.origin) return true;
  try {
    return new URL(options.origin).host === options.host;
  } catch {
    return false;
  }
}
