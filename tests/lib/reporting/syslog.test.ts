import dgram from 'node:dgram';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { resetConfig } from '@/lib/config';
import { lifeCycleMessage } from '@/lib/reporting/component-life-cycle';
import type { StatusMessage } from '@/lib/reporting/status-message.schema';
import { createSyslogSink, formatSyslogLine } from '@/lib/reporting/syslog';

const message: StatusMessage = {
  uid: '3f1d2c1e-8a8e-4a57-9a53-0d0a8f0c0002',
  messageId: 502,
  severity: 'ERROR',
  type: 'MILESTONE',
  source: 'SERVER',
  siteCode: 'S01',
  systemName: 'S01-SS01.corp.example.com',
  component: 'SMS_STATUS_MANAGER',
  sourceTime: new Date('2026-11-23T08:00:00.123Z'),
  processId: 4242,
  insertionStrings: ['SMS_STATUS_MANAGER', 'S01-SS01', 'disk full\nretrying'],
  properties: { 'Odd "name"]': 'a]b"c\\d' },
};

describe('formatSyslogLine', () => {
  it('writes an RFC 5424 line: priority, version, time, host, app, process, message ID, structured data, BOM and text', () => {
    const line = formatSyslogLine(message);
    // local0 (16) * 8 + err (3) = 131
    expect(line.startsWith('<131>1 2026-11-23T08:00:00.123Z S01-SS01.corp.example.com SMS_STATUS_MANAGER 4242 502 [sitebox@32473 ')).toBe(true);
    expect(line).toContain('uid="3f1d2c1e-8a8e-4a57-9a53-0d0a8f0c0002" siteCode="S01" severity="ERROR" type="MILESTONE" source="SERVER"]');
    // SD-NAME percent-encodes the characters it may not hold; PARAM-VALUE escapes ", \ and ].
    expect(line).toContain('[properties@32473 Odd%20%22name%22%5D="a\\]b\\"c\\\\d"]');
    expect(line.endsWith(' \uFEFFComponent SMS_STATUS_MANAGER could not start on S01-SS01: disk full retrying')).toBe(true);
    expect(line).not.toContain('\n');
  });

  it("names this server by SITEBOX_SERVER_NAME, as the console does, in a server component's own line", () => {
    process.env.SITEBOX_SERVER_NAME = 'ss01.corp.example.com';
    resetConfig();
    try {
      const line = formatSyslogLine(lifeCycleMessage({ kind: 'started', component: 'SMS_HIERARCHY_MANAGER' }));
      expect(line).toMatch(/^<134>1 \S+ ss01\.corp\.example\.com SMS_HIERARCHY_MANAGER \d+ 500 /);
      expect(line.endsWith('Component SMS_HIERARCHY_MANAGER started on ss01.corp.example.com.')).toBe(true);
    } finally {
      delete process.env.SITEBOX_SERVER_NAME;
      resetConfig();
    }
  });

  it('maps severities and uses "-" for missing header fields', () => {
    const info = formatSyslogLine({ ...message, severity: 'INFORMATIONAL', processId: undefined, properties: {} });
    expect(info.startsWith('<134>1 ')).toBe(true);
    expect(info).toContain(' SMS_STATUS_MANAGER - 502 [sitebox@32473');
    expect(info).not.toContain('properties@');
    expect(formatSyslogLine({ ...message, severity: 'WARNING' }).startsWith('<132>1 ')).toBe(true);
    expect(formatSyslogLine({ ...message, systemName: 'has space' })).toContain(' has_space ');
  });
});

/**
 * RFC 5424 grammar, strictly: header, structured data elements whose PARAM-VALUEs escape only
 * '"', '\\' and ']', then a BOM and a message without control characters.
 */
const wellFormed = new RegExp(
  '^<\\d{1,3}>1 \\S+ \\S{1,255} \\S{1,48} \\S{1,128} \\S{1,32} ' +
    '(?:\\[(?:(?![=\\]"])[\\x21-\\x7e]){1,32}(?: (?:(?![=\\]"])[\\x21-\\x7e]){1,32}="(?:[^"\\\\\\]]|\\\\["\\\\\\]])*")*\\])+' +
    ' \\uFEFF[^\\u0000-\\u001f\\u007f]*$',
  'u',
);

describe('formatSyslogLine within a UDP datagram', () => {
  const bytes = (line: string) => Buffer.byteLength(line, 'utf8');
  const roundTrips = (line: string) => Buffer.from(line, 'utf8').toString('utf8') === line && !line.includes('\uFFFD');

  it('shortens a 3,000-byte insertion string at a character boundary and keeps the line well formed', () => {
    const long = { ...message, insertionStrings: ['SMS_STATUS_MANAGER', 'S01-SS01', 'ж'.repeat(1500)] };
    expect(bytes(formatSyslogLine(long))).toBeGreaterThan(3000);
    const line = formatSyslogLine(long, { maxBytes: 2048 });
    expect(bytes(line)).toBeLessThanOrEqual(2048);
    expect(bytes(line)).toBeGreaterThan(2000);
    expect(line).toMatch(wellFormed);
    expect(roundTrips(line)).toBe(true);
    expect(line).toContain('[properties@32473 Odd%20%22name%22%5D="a\\]b\\"c\\\\d"]');
    expect(line.endsWith('ж\u2026')).toBe(true);
  });

  it('shortens long property values (with escapes and emoji) and then the message so everything fits', () => {
    const long = {
      ...message,
      insertionStrings: ['SMS_STATUS_MANAGER', 'S01-SS01', '😀'.repeat(800)],
      properties: { a: ']'.repeat(1500), b: '😀'.repeat(600), short: 'kept', Ключ: 'x', Имя: 'y' },
    };
    for (const max of [2048, 900, 480]) {
      const line = formatSyslogLine(long, { maxBytes: max });
      expect(bytes(line)).toBeLessThanOrEqual(max);
      expect(line).toMatch(wellFormed);
      expect(roundTrips(line)).toBe(true);
    }
    const line = formatSyslogLine(long, { maxBytes: 2048 });
    expect(line).toContain('short="kept"');
    // Non-ASCII names stay distinct, percent-encoded.
    expect(line).toContain(`${encodeURIComponent('Ключ')}="x"`);
    expect(line).toContain(`${encodeURIComponent('Имя')}="y"`);
    // The message keeps at least its readable minimum while values give way.
    expect(line.split('\uFEFF')[1].length).toBeGreaterThan(50);
  });

  it('treats control characters alike in the message and in structured data', () => {
    const line = formatSyslogLine({ ...message, insertionStrings: ['a', 'b', 'x\ty\u0007z\r\n'], properties: { k: 'x\ty\u0007z\r\n' } });
    expect(line).toContain('k="x y z  "');
    expect(line.endsWith('x y z  ')).toBe(true);
    expect(line).toMatch(wellFormed);
  });
});

describe('createSyslogSink', () => {
  const log = pino({ level: 'silent' });

  it('sends one datagram per line over UDP', async () => {
    const server = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const received = new Promise<string>((resolve) => server.once('message', (m) => resolve(m.toString('utf8'))));
    const sink = createSyslogSink({ target: `udp://127.0.0.1:${server.address().port}`, log });
    sink.write(message);
    expect(await received).toBe(formatSyslogLine(message));
    await sink.close();
    server.close();
  });

  it('appends lines to a file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-syslog-'));
    const file = path.join(dir, 'status.log');
    const sink = createSyslogSink({ target: `file:${file}`, log });
    const second = { ...message, uid: '3f1d2c1e-8a8e-4a57-9a53-0d0a8f0c0003' };
    sink.write(message);
    sink.write(second);
    await sink.close();
    expect(await readFile(file, 'utf8')).toBe(`${formatSyslogLine(message)}\n${formatSyslogLine(second)}\n`);
  });
});
