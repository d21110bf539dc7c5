import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createProgramRunner, substituteArguments, type ProgramMessage } from '@/lib/status/run-program';

const hostile = '; rm -rf / $(touch /tmp/sitebox-pwned) `id` && echo owned | cat';
const message: ProgramMessage = {
  uid: '3f1d2c1e-8a8e-4a57-9a53-0d0a8f0c0003',
  messageId: 10006,
  severity: 'ERROR',
  type: 'MILESTONE',
  source: 'CLIENT',
  siteCode: 'S01',
  systemName: 'WKS0001',
  component: 'Software Distribution',
  sourceTime: '2026-11-23T08:00:00.000Z',
  insertionStrings: ['S0120001', 'S0100003', hostile, '%msgis01'],
  properties: {},
};

describe('substituteArguments', () => {
  it('replaces placeholders inside each argument, never splitting or re-substituting', () => {
    expect(substituteArguments(['--id=%msgid', '%msgsys', '%msgis03', 'x%msgis04y', '%msgis09', '%sitecode/%msgsev'], message)).toEqual([
      '--id=10006',
      'WKS0001',
      hostile,
      'x%msgis01y',
      '',
      'S01/ERROR',
    ]);
  });

  it('puts the rendered description in one argument', () => {
    const [desc] = substituteArguments(['%msgdesc'], message);
    expect(desc).toBe(`The program "${hostile}" of package S0100003 for deployment S0120001 failed with exit code %msgis01.`);
  });
});

describe('createProgramRunner', () => {
  it('runs a command with hostile insertion strings as plain argv, without a shell', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sitebox-program-'));
    const script = path.join(dir, 'record.sh');
    const out = path.join(dir, 'argv.txt');
    await writeFile(script, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${out}'; done\nprintf 'env:%s\\n' "$DATABASE_URL" >> '${out}'\n`);
    await chmod(script, 0o755);
    process.env.DATABASE_URL ??= 'postgresql://secret@example/db';
    const runner = createProgramRunner({ log: pino({ level: 'silent' }) });
    runner.run({
      ruleName: 'page',
      message,
      program: { kind: 'command', file: script, args: ['%msgis03', '$(id)', '%msgdesc'], timeoutSeconds: 10 },
    });
    await runner.idle();
    const lines = (await readFile(out, 'utf8')).split('\n');
    expect(lines[0]).toBe(hostile);
    expect(lines[1]).toBe('$(id)');
    expect(lines[2]).toContain(hostile);
    // The server's environment (database credentials) is not handed to programs.
    expect(lines[3]).toBe('env:');
    await expect(readFile('/tmp/sitebox-pwned')).rejects.toThrow();
  });

  it('posts the message to a webhook', async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      calls.push({ url, body: JSON.parse(String(init.body)) });
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    const runner = createProgramRunner({ log: pino({ level: 'silent' }), fetch: fakeFetch });
    runner.run({ ruleName: 'hook', message, program: { kind: 'webhook', url: 'https://hooks.example.com/status', timeoutSeconds: 5 } });
    await runner.idle();
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('https://hooks.example.com/status');
    expect(calls[0].body).toMatchObject({ rule: 'hook', message: { uid: message.uid, insertionStrings: message.insertionStrings } });
  });
});
