import { UNTRUSTED_CERTIFICATE_CODES } from '../tls/untrusted-certificate-codes';

/**
 * Why a request to the parent site failed, in words for the link's last error, its status
 * messages and the log. fetch says only "fetch failed" and keeps the reason in its `cause`
 * (ECONNREFUSED, a certificate this site does not trust, ...), which is what an administrator needs.
 */
export function parentLinkFailure(error: unknown): string {
  const chain: { code?: string; message: string }[] = [];
  for (let e: unknown = error; e && typeof e === 'object' && chain.length < 5; e = (e as { cause?: unknown }).cause) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    chain.push({ code: typeof code === 'string' ? code : undefined, message: typeof message === 'string' ? message : String(e) });
  }
  if (!chain.length) return String(error);
  const root = chain.at(-1)!;
  if (root.code && UNTRUSTED_CERTIFICATE_CODES.has(root.code))
    return `the parent's certificate is not trusted here (${root.code}): give this site the parent's certificate authority with NODE_EXTRA_CA_CERTS`;
  if (root.code === 'CERT_HAS_EXPIRED' || root.code === 'CERT_NOT_YET_VALID')
    return `the parent's certificate is not valid now (${root.code}): check both computers' clocks`;
  if (root.code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return `the parent's certificate does not name the host in SITEBOX_PARENT_SITE_URL (${root.message}): use a name it holds, or add this one to the parent's SITEBOX_TLS_HOSTS`;
  if (chain.length === 1) return root.message;
  return `${chain[0].message}: ${root.message}${root.code && !root.message.includes(root.code) ? ` (${root.code})` : ''}`;
}
