// Issues the credential a remote site system or child site presents to this site:
//   npm run site-system:credential -- <system name> [--site CODE]
// Prints it once; give it to the other side (e.g. a child site's SITEBOX_PARENT_SITE_CREDENTIAL).
// `--site CODE` names a child site (created here as a child of this site when new), the system its server.
import { config } from '../lib/config';
import { migrate } from '../lib/db/migrator';
import { openDatabase } from '../lib/db/open-database';
import { closePool } from '../lib/db/pool';
import { closePrisma } from '../lib/db/prisma';
import { issueSiteSystemCredential } from '../lib/sites/site-system-credentials';

async function main() {
  const [name, flag, value] = process.argv.slice(2);
  if (!name) throw new Error('usage: npm run site-system:credential -- <system name> [--site CODE]');
  const siteCode = flag === '--site' && value ? value : config().SITEBOX_SITE_CODE;
  const db = await openDatabase(config());
  try {
    await migrate({ connectionString: db.url });
    const { credential } = await issueSiteSystemCredential({ siteCode, name, childOf: config().SITEBOX_SITE_CODE });
    console.log(`Credential for ${name} (site ${siteCode}), shown once:\n${credential}`);
  } finally {
    await Promise.all([closePool(), closePrisma()]);
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
