import http from 'node:http';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import type { TransportSecurity } from './transport-security';

/** Whether a peer address is this computer (IPv4 loopback, IPv6 loopback, or IPv4-mapped loopback). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || v4.startsWith('127.');
}

// A TLS connection opens with a handshake record (content type 22); HTTP with a method name.
const TLS_HANDSHAKE = 0x16;
// How long a connection may take to say what it is, and then to finish its TLS handshake.
const SNIFF_TIMEOUT_MS = 30_000;

/**
 * Refuses plain HTTP from another computer: a browser asking for a page is sent to the same
 * address over HTTPS; anything else (an agent, an API call, a WebSocket) gets 426 saying to use HTTPS.
 */
const plainRefusal = http.createServer((req, res) => {
  const host = req.headers.host;
  const page = (req.method === 'GET' || req.method === 'HEAD') && host && !/^\/(api|socket\.io)\//.test(req.url ?? '/');
  res.setHeader('connection', 'close');
  if (page) {
    res.writeHead(308, { location: `https://${host}${req.url ?? '/'}` }).end();
    return;
  }
  const message = 'This server takes plain HTTP only from its own computer: use https:// (the site certificate authority is at /api/agent/ca).';
  res.writeHead(426, { 'content-type': 'application/json', upgrade: 'TLS/1.2, HTTP/1.1' });
  res.end(JSON.stringify({ error: { code: 'HTTPS_REQUIRED', message } }));
});

/**
 * Makes an HTTP server speak HTTPS on the same port: each new connection is told apart by its
 * first byte; TLS ones are decrypted with the current server certificate (swapped in place when
 * transport security renews it) and handed back to the server as ordinary connections, so Next.js,
 * socket.io and the ingest path serve both alike (`req.socket.encrypted` tells them apart).
 * Plain HTTP is served only when `plainHttp(socket)` allows it (default: from this computer).
 * The same technique as httpolyglot; done on the server itself because socket.io (engine.io)
 * takes over the request listeners of the server it is attached to.
 * Returns a function that stops following renewals.
 */
export function acceptTls(
  server: http.Server,
  security: TransportSecurity,
  options: { plainHttp?: (socket: Socket) => boolean; onTlsError?: (error: Error, socket: Socket) => void; timeoutMs?: number } = {},
): () => void {
  const timeoutMs = options.timeoutMs ?? SNIFF_TIMEOUT_MS;
  const plainHttp = options.plainHttp ?? ((socket: Socket) => isLoopback(socket.remoteAddress));
  const httpListeners = server.listeners('connection') as ((socket: Socket) => void)[];
  const serveHttp = (socket: Socket) => {
    for (const listener of httpListeners) listener.call(server, socket);
  };
  // A handshake that stalls is cut as a silent connection is, not after Node's default 120 s.
  const tlsServer = tls.createServer({ ...security.served(), ALPNProtocols: ['http/1.1'], handshakeTimeout: timeoutMs }, (secure) =>
    serveHttp(secure),
  );
  tlsServer.on('tlsClientError', (error, socket) => {
    options.onTlsError?.(error, socket);
    socket.destroy();
  });
  const unsubscribe = security.onChange(() => tlsServer.setSecureContext({ ...security.served() }));

  const quiet = () => undefined;
  const sniff = (socket: Socket) => {
    const first = socket.read() as Buffer | null;
    if (first === null) {
      socket.once('readable', () => sniff(socket));
      return;
    }
    socket.setTimeout(0);
    socket.off('timeout', drop);
    socket.off('error', quiet);
    socket.unshift(first);
    if (first[0] === TLS_HANDSHAKE) {
      socket.allowHalfOpen = false;
      tlsServer.emit('connection', socket);
    } else if (plainHttp(socket)) serveHttp(socket);
    else plainRefusal.emit('connection', socket);
  };
  function drop(this: Socket) {
    this.destroy();
  }

  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    socket.on('error', quiet);
    socket.setTimeout(timeoutMs);
    socket.once('timeout', drop);
    sniff(socket);
  });
  return unsubscribe;
}
