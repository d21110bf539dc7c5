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
    // SD-NAME loses the characters it may not hold; PARAM-VALUE escapes ", \ and ].
    expect(line).toContain('[properties@32473 Odd__name__="a\\]b\\"c\\\\d"]');
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

describe('createSyslogSink', () => {
  const log = pino({ level: 'silent' });

  it('sends one datagram per line over UDP', async () => {
    const server = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    const received = new Promise<string>((resolve) => server.once('message', (m) => resolve(m.toString('utf8'))));
    const sink = createSyslogSink({ target: `udp://127.0.0.1:${server.address().port}`, log });
    sink.write(formatSyslogLine(message));
    expect(await received).toBe(formatSyslogLine(message));
    await sink.close();
    server.close();
  });

  it('appends lines to a file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-syslog-'));
    const file = path.join(dir, 'status.log');
    const sink = createSyslogSink({ target: `file:${file}`, log });
    sink.write('one');
    sink.write('two');
    await sink.close();
    expect(await readFile(file, 'utf8')).toBe('one\ntwo\n');
  });
});
