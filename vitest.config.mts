import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url)).replace(/\/$/, '');

export default defineConfig({
  resolve: {
    // Same as tsconfig's "@/*": ["./*"].
    alias: [{ find: /^@\//, replacement: `${root}/` }],
  },
  test: {
    environment: 'node',
    // Quiet logs unless asked for: LOG_LEVEL=debug npm test.
    // Workers the tests start run at the tests' own priority: niced (the default), they would wait
    // behind the test files running beside them on a busy CI host.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent', SITEBOX_WORKER_NICE: process.env.SITEBOX_WORKER_NICE ?? '0' },
    include: ['tests/**/*.test.ts'],
    // Separate processes: tests spawn children, set process.env and hold pg pools.
    pool: 'forks',
    globalSetup: ['tests/support/global-setup.ts'],
    // Browser tests under tests/e2e start a server and Chromium; unit tests finish far sooner.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
