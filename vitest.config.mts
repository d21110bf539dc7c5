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
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
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
