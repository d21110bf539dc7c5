/**
 * How to put the client agent on a computer of this site: the commands, with this site's own URL
 * and, over HTTPS, the fingerprint of the site's certificate authority that the agent pins.
 */
export function InstallClient({ siteUrl, caFingerprint, bundleSha256 }: { siteUrl: string; caFingerprint?: string; bundleSha256?: string | null }) {
  const commands = caFingerprint
    ? [
        // -k: the computer does not trust the site's own authority yet; the checksum vouches for the file.
        `curl -fsSLko sitebox-agent.cjs ${siteUrl}/api/agent/download`,
        ...(bundleSha256 ? [`echo "${bundleSha256}  sitebox-agent.cjs" | sha256sum -c`] : []),
        `sudo node sitebox-agent.cjs install --mp ${siteUrl} --ca-fingerprint ${caFingerprint}`,
      ]
    : [`curl -fsSLo sitebox-agent.cjs ${siteUrl}/api/agent/download`, `sudo node sitebox-agent.cjs install --mp ${siteUrl}`];
  return (
    <details className="mb-4 rounded border border-slate-200 bg-white text-sm">
      <summary className="cursor-pointer px-3 py-2 font-medium text-slate-900">Install the client</summary>
      <div className="space-y-2 border-t border-slate-200 px-3 py-2 text-slate-700">
        <p>
          On a Linux computer with Node.js 20 or later (and Debian&apos;s <code>clamav</code> package for Quick and Full Scan), as root:
        </p>
        <pre aria-label="Install commands" className="overflow-x-auto rounded bg-slate-900 px-3 py-2 font-mono text-xs text-slate-100">
          {commands.join('\n')}
        </pre>
        {caFingerprint ? (
          <p>
            The agent trusts only this site&apos;s certificate authority, SHA-256{' '}
            <code aria-label="Site CA fingerprint" className="break-all">
              {caFingerprint}
            </code>{' '}
            (<a href="/api/agent/ca">download it</a> to trust it in a browser); it refuses any other certificate.
          </p>
        ) : null}
        <p>
          The agent registers with this site and appears here; it runs as the <code>sitebox-agent</code> systemd service. Name more management points
          with further <code>--mp</code> options: the agent moves to the next when one is unreachable.
          <code> sudo node /usr/local/lib/sitebox-agent/sitebox-agent.cjs uninstall</code> removes it.
        </p>
        <p>
          The download answers 404 until the client is built on the site server: <code>npm run agent:build</code> in the Sitebox folder writes{' '}
          <code>dist/sitebox-agent.cjs</code>.
        </p>
      </div>
    </details>
  );
}
