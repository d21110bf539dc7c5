import { X509Certificate } from 'node:crypto';
import type http from 'node:http';
import https from 'node:https';
import { httpRequest } from './http';
import { UNTRUSTED_CERTIFICATE_CODES } from '../tls/untrusted-certificate-codes';

/**
 * What every agent connection to a management point over https trusts: given `ca`, Node checks
 * the chain against that authority only (the system's authorities no longer count) and the host
 * name against the certificate. Undefined: the system's authorities, as any https client.
 */
export interface TlsTrust {
  ca: string[];
}

/** The site certificate authority an agent pins: its SHA-256 fingerprint and the certificate it names. */
export interface PinnedCa {
  fingerprint: string;
  certificate: string;
}

/** `AB:CD:…` (64 hex digits, colons optional, any case) as Node and openssl print it, or null. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  return /^[0-9A-F]{64}$/.test(hex) ? hex.match(/../g)!.join(':') : null;
}

/** The SHA-256 fingerprint of a PEM certificate, `AB:CD:…`. */
export function fingerprintOf(certificatePem: string): string {
  return new X509Certificate(certificatePem).fingerprint256;
}

/** The trust for a pinned authority (undefined without one). */
export function trustOf(pin: PinnedCa | undefined): TlsTrust | undefined {
  return pin ? { ca: [pin.certificate] } : undefined;
}

/**
 * Fetches the site's certificate authority from a management point (GET /api/agent/ca) and keeps
 * it only when its fingerprint is the pinned one. The certificate is not trusted while fetched —
 * the fingerprint, which the administrator copied from the console, is what makes it trustworthy.
 */
export async function fetchPinnedCa(options: { managementPointUrl: string; fingerprint: string; timeoutMs?: number }): Promise<PinnedCa> {
  const fingerprint = normalizeFingerprint(options.fingerprint);
  if (!fingerprint) throw new Error(`${options.fingerprint} is not a SHA-256 fingerprint (64 hex digits, e.g. AB:CD:…)`);
  const url = new URL('/api/agent/ca', options.managementPointUrl);
  const answer = await httpRequest({
    url: url.toString(),
    headers: { accept: 'application/x-pem-file' },
    timeoutMs: options.timeoutMs,
    agent: url.protocol === 'https:' ? new https.Agent({ rejectUnauthorized: false, keepAlive: false }) : undefined,
  });
  if (answer.status !== 200) throw new Error(`${url.origin} did not give its certificate authority (${answer.status}): is HTTPS on there?`);
  let actual: string;
  try {
    actual = fingerprintOf(answer.body);
  } catch {
    throw new Error(`${url.origin} answered /api/agent/ca with something that is not a certificate`);
  }
  if (actual !== fingerprint)
    throw new Error(`the certificate authority of ${url.origin} has SHA-256 ${actual}, not the pinned ${fingerprint}: refusing it`);
  return { fingerprint, certificate: answer.body };
}

/** The error and the causes socket.io and the HTTP clients wrap around it, outermost first. */
function* causes(error: unknown): Generator<{ code?: unknown; message?: unknown }> {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    yield e as { code?: unknown; message?: unknown };
    const next = e as { description?: unknown; error?: unknown; cause?: unknown };
    e = next.error ?? next.description ?? next.cause;
  }
}

/**
 * Why a connection failed on the server's certificate, in words for the agent's log, or null when
 * the failure was something else. Looks through the wrappers socket.io puts around the cause.
 * `pinned`: whether the agent trusts a pinned site authority, or (none pinned) the system's.
 */
export function certificateProblem(error: unknown, pinned: boolean): string | null {
  for (const { code, message } of causes(error)) {
    if (typeof code === 'string') {
      if (UNTRUSTED_CERTIFICATE_CODES.has(code))
        return pinned
          ? `the server's certificate is not signed by the pinned site certificate authority (${code})`
          : `the server's certificate is not signed by an authority this computer trusts (${code}): to trust the site's own authority, install with --ca-fingerprint and the SHA-256 the Devices page shows`;
      if (code === 'CERT_HAS_EXPIRED') return 'the server presented an expired certificate (CERT_HAS_EXPIRED)';
      if (code === 'CERT_NOT_YET_VALID') return 'the server presented a certificate not valid yet (CERT_NOT_YET_VALID): check the clocks';
      if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
        return `the server's certificate does not name the host the agent asked for (${typeof message === 'string' ? message : code}); name it in SITEBOX_TLS_HOSTS on the server`;
    }
  }
  return null;
}

/**
 * Why an https:// request failed when the server answered it in plain HTTP (OpenSSL's "wrong version
 * number": a site started with SITEBOX_TLS=off, or a port that does not speak TLS), in words for
 * the agent's log and `install`; null when the failure was something else.
 */
export function plainHttpProblem(error: unknown): string | null {
  for (const { code, message } of causes(error))
    if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || (code === 'EPROTO' && typeof message === 'string' && /wrong version number/i.test(message)))
      return 'the management point answered in plain HTTP, not HTTPS: give its address with http:// (a site started with SITEBOX_TLS=off), or check the port';
  return null;
}

/**
 * A fetch for the status reporter over the agent's own HTTP client, so its requests carry the
 * same trust as every other agent connection (Node's built-in fetch takes no `ca`). Given
 * `agent`, requests go through its keep-alive pool: a simulator's thousands of reporters share
 * one bounded pool, as their policy requests do, instead of opening a connection each.
 */
export function fetchWithTrust(trust: TlsTrust | undefined, agent?: http.Agent): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : input.toString();
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    const body = init?.body ?? undefined;
    if (body !== undefined && typeof body !== 'string' && !(body instanceof Uint8Array))
      throw new Error('fetchWithTrust sends text or byte bodies only');
    const answer = await httpRequest({
      url,
      method: init?.method === 'POST' ? 'POST' : 'GET',
      headers,
      body,
      signal: init?.signal ?? undefined,
      tls: trust,
      agent,
    });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, one);
    }
    const bodyless = answer.status === 204 || answer.status === 304;
    return new Response(bodyless ? null : answer.body, { status: answer.status, headers: responseHeaders });
  };
}
