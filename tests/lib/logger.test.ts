import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// A child process whose stdout is a pipe (not a terminal) unless the format is forced.
function logLine(env: Record<string, string>) {
  const script = `require('./lib/logger.ts').componentLogger('collection-evaluator').info({ items: 3 }, 'collections evaluated');`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  return result.stdout.trim();
}

describe('logger', () => {
  it('writes JSON lines when stdout is not a terminal', () => {
    expect(JSON.parse(logLine({}))).toMatchObject({ level: 30, component: 'collection-evaluator', msg: 'collections evaluated', items: 3 });
  });

  it('writes readable lines on a terminal (forced here, as a pipe is none)', () => {
    const line = logLine({ SITEBOX_LOG_FORMAT: 'pretty' });
    expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] INFO: server\[\d+\] collection-evaluator: collections evaluated \{"items":3\}$/);
  });
});
