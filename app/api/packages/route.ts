import { createPackage } from '@/lib/deployments/create-package';
import { createPackageSchema } from '@/lib/deployments/deployment.schema';
import { listPackages } from '@/lib/deployments/repo';
import { route } from '@/lib/http/route';

export const GET = route({ permission: 'readConsole' }, async () => ({ rows: await listPackages() }));

/** A new package with its programs. */
export const POST = route({ permission: 'manageDeployments', body: createPackageSchema }, async ({ actor, body }) =>
  createPackage({ actor, input: body }),
);
