import { defineConfig } from 'vitest/config';

// Unit tests of the web code (plain Node, no browser): `npm run test:web`.
export default defineConfig({
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
