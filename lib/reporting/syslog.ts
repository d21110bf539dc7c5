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

/** SD-NAME: printable US-ASCII except '=', ' ', ']' and '"', up to 32 characters. */
function sdName(value: string): string {
  return value.replace(/[^\x21-\x7e]|[=\]"]/g, '_').slice(0, 32) || '_';
}

/** PARAM-VALUE: '"', '\' and ']' are escaped with a backslash; control characters become spaces. */
function sdValue(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\\]]/g, (c) => `\\${c}`);
}

/**
 * One status message as an RFC 5424 syslog line (without a trailing newline): priority from
 * local0 and the severity, the source's time, system, component, process and message ID in
 * the header, the message's fields and properties as structured data, and the rendered
 * description as the UTF-8 message. Pure.
 */
export function formatSyslogLine(message: StatusMessageRecord): string {
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
  const propertyEntries = Object.entries(message.properties ?? {});
  const properties = propertyEntries.length
    ? `[properties@${ENTERPRISE} ${propertyEntries.map(([k, v]) => `${sdName(k)}="${sdValue(v)}"`).join(' ')}]`
    : '';
  const text = renderDescription(message).replace(/[\r\n]+/g, ' ');
  return `${header} ${status}${properties} ${BOM}${text}`;
}

/** Where syslog lines go. */
export interface SyslogSink {
  write(line: string): void;
  close(): Promise<void>;
}

// RFC 5426: receivers must accept 480 bytes and should accept 2048.
const UDP_MAX_BYTES = 2048;

/**
 * A sink for SITEBOX_SYSLOG: `udp://host:port` sends each line as one datagram (fire and
 * forget, like any syslog over UDP); `file:/path` appends one line per message. Without a
 * target, lines go to the process log so "report to the event log" still leaves a trace.
 */
export function createSyslogSink(options: { target: string | undefined; log: Logger }): SyslogSink {
  const { target, log } = options;
  if (!target) {
    return { write: (line) => log.info({ syslog: line }, 'event log'), close: async () => {} };
  }
  if (target.startsWith('udp://')) {
    const url = new URL(target);
    const socket = dgram.createSocket(url.hostname.includes(':') ? 'udp6' : 'udp4');
    socket.unref();
    socket.on('error', (error) => log.warn({ err: error }, 'syslog send failed'));
    const port = Number(url.port || 514);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    return {
      write(line) {
        let bytes = Buffer.from(line, 'utf8');
        if (bytes.length > UDP_MAX_BYTES) bytes = bytes.subarray(0, UDP_MAX_BYTES);
        socket.send(bytes, port, host);
      },
      close: () => new Promise((resolve) => socket.close(() => resolve())),
    };
  }
  if (target.startsWith('file:')) {
    const file = target.startsWith('file://') ? new URL(target).pathname : target.slice('file:'.length);
    let stream: WriteStream | null = null;
    return {
      write(line) {
        stream ??= createWriteStream(file, { flags: 'a' }).on('error', (error) => log.warn({ err: error }, 'syslog file write failed'));
        stream.write(`${line}\n`);
      },
      close: () => new Promise((resolve) => (stream ? stream.end(() => resolve()) : resolve())),
    };
  }
  throw new Error(`SITEBOX_SYSLOG must be udp://host:port or file:/path, not ${target}`);
}
