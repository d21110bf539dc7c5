import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Logger } from 'pino';
import { renderDescription } from './catalog';
import type { StatusMessageRecord } from './status-message.schema';

// local0: the facility RFC 5424 leaves to local applications.
const FACILITY_LOCAL0 = 16;
const severityCode = { ERROR: 3, WARNING: 4, INFORMATIONAL: 6 } as const;
// RFC 5612's documentation enterprise number: Sitebox has no IANA number of its own.
const ENTERPRISE = 32473;
const BOM = '\uFEFF';

/** Header fields allow printable US-ASCII only, no spaces, up to a length; empty is "-". */
function headerField(value: string | number | undefined | null, max: number): string {
  if (value === undefined || value === null || value === '') return '-';
  const clean = String(value)
    .replace(/[^\x21-\x7e]/g, '_')
    .slice(0, max);
  return clean || '-';
}

/**
 * SD-NAME: printable US-ASCII except '=', ' ', ']' and '"', up to 32 characters. Anything else
 * (and '%') is percent-encoded as UTF-8, so `Ключ` and `Имя` stay distinct and readable back;
 * a name still too long keeps its start and a hash of the whole.
 */
function sdName(value: string): string {
  const encoded = encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  if (!encoded) return '_';
  if (encoded.length <= 32) return encoded;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, 8);
  // Never end inside a %XX triplet.
  return `${encoded.slice(0, 23).replace(/%[0-9A-F]?$/, '')}~${hash}`;
}

/** Control characters become spaces, in structured data and in the message alike. */
function withoutControls(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ');
}

/** PARAM-VALUE: '"', '\' and ']' are escaped with a backslash. */
function sdValue(value: string): string {
  return withoutControls(value).replace(/["\\\]]/g, (c) => `\\${c}`);
}

const utf8Bytes = (value: string) => Buffer.byteLength(value, 'utf8');
const ELLIPSIS = '\u2026';

/**
 * The longest start of `value` whose rendering by `render` takes at most `maxBytes`, cut
 * between characters (never inside a UTF-8 sequence, a surrogate pair or an escape), with an
 * ellipsis when something was cut.
 */
function shorten(value: string, maxBytes: number, render: (v: string) => string): string {
  if (utf8Bytes(render(value)) <= maxBytes) return value;
  const budget = maxBytes - utf8Bytes(ELLIPSIS);
  if (budget <= 0) return '';
  let used = 0;
  let end = 0;
  for (const char of value) {
    const size = utf8Bytes(render(char));
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return value.slice(0, end) + ELLIPSIS;
}

/** Below this many bytes the message is shortened only once the properties are as short as they go. */
const MIN_MESSAGE_BYTES = 256;

/**
 * One status message as an RFC 5424 syslog line (without a trailing newline): priority from
 * local0 and the severity, the source's time, system, component, process and message ID in
 * the header, the message's fields and properties as structured data, and the rendered
 * description as the UTF-8 message. With `maxBytes` (a UDP datagram), the message, then the
 * property values, then the message again are shortened at character boundaries so the whole
 * line fits and stays well formed. Pure.
 */
export function formatSyslogLine(message: StatusMessageRecord, options: { maxBytes?: number } = {}): string {
  const pri = FACILITY_LOCAL0 * 8 + severityCode[message.severity];
  const time = new Date(message.sourceTime).toISOString();
  const header = [
    `<${pri}>1`,
    time,
    headerField(message.systemName, 255),
    headerField(message.component, 48),
    headerField(message.processId, 128),
    headerField(message.messageId, 32),
  ].join(' ');
  const fields: [string, string][] = [
    ['uid', message.uid],
    ['siteCode', message.siteCode],
    ['severity', message.severity],
    ['type', message.type],
    ['source', message.source],
  ];
  const status = `[sitebox@${ENTERPRISE} ${fields.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]`;
  let properties = Object.entries(message.properties ?? {}).map(([k, v]) => [sdName(k), v] as [string, string]);
  let text = renderDescription(message);
  const render = () => {
    const sd = properties.length ? `[properties@${ENTERPRISE} ${properties.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]` : '';
    return `${header} ${status}${sd} ${BOM}${withoutControls(text)}`;
  };
  const line = render();
  const max = options.maxBytes;
  if (max === undefined || utf8Bytes(line) <= max) return line;

  const excess = () => utf8Bytes(render()) - max;
  const textBytes = () => utf8Bytes(withoutControls(text));
  // 1. The message, down to a readable minimum.
  text = shorten(text, Math.max(MIN_MESSAGE_BYTES, textBytes() - excess()), withoutControls);
  // 2. The property values: the longest first, to an equal cap that fits.
  if (excess() > 0 && properties.length) {
    const sizes = properties.map(([, v]) => utf8Bytes(sdValue(v)));
    const room = Math.max(0, sizes.reduce((a, b) => a + b, 0) - excess());
    let cap = 0;
    for (let high = Math.max(...sizes); cap < high;) {
      const mid = Math.ceil((cap + high) / 2);
      if (sizes.reduce((sum, size) => sum + Math.min(size, mid), 0) <= room) cap = mid;
      else high = mid - 1;
    }
    properties = properties.map(([k, v]) => [k, shorten(v, cap, sdValue)]);
  }
  // 3. Too many properties even with empty values: the last ones go, then the message gives way.
  while (excess() > 0 && properties.length) properties = properties.slice(0, -1);
  if (excess() > 0) text = shorten(text, Math.max(0, textBytes() - excess()), withoutControls);
  return render();
}

/** Where syslog lines go: each message formatted as one line that fits the transport. */
export interface SyslogSink {
  write(message: StatusMessageRecord): void;
  close(): Promise<void>;
}

// RFC 5426: receivers must accept 480 bytes and should accept 2048.
const UDP_MAX_BYTES = 2048;

/**
 * A sink for SITEBOX_SYSLOG: `udp://host:port` sends each line as one datagram of at most
 * 2,048 bytes (fire and forget, like any syslog over UDP); `file:/path` appends one line per message. Without a
 * target, lines go to the process log so "report to the event log" still leaves a trace.
 */
export function createSyslogSink(options: { target: string | undefined; log: Logger }): SyslogSink {
  const { target, log } = options;
  if (!target) {
    return { write: (message) => log.info({ syslog: formatSyslogLine(message) }, 'event log'), close: async () => {} };
  }
  if (target.startsWith('udp://')) {
    const url = new URL(target);
    const socket = dgram.createSocket(url.hostname.includes(':') ? 'udp6' : 'udp4');
    socket.unref();
    socket.on('error', (error) => log.warn({ err: error }, 'syslog send failed'));
    const port = Number(url.port || 514);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return {
      write(message) {
        socket.send(Buffer.from(formatSyslogLine(message, { maxBytes: UDP_MAX_BYTES }), 'utf8'), port, host);
      },
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }
  if (target.startsWith('file:')) {
    const file = target.startsWith('file://') ? new URL(target).pathname : target.slice('file:'.length);
    let stream: WriteStream | null = null;
    return {
      write(message) {
        stream ??= createWriteStream(file, { flags: 'a' }).on('error', (error) => log.warn({ err: error }, 'syslog file write failed'));
        stream.write(`${formatSyslogLine(message)}\n`);
      },
      close: () => new Promise((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
    };
  }
  throw new Error(`SITEBOX_SYSLOG must be udp://host:port or file:/path, not ${target}`);
}
