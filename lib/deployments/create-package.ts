import { reportAudit } from '../audit/report-audit';
import { config } from '../config';
import type { Actor } from '../users/actor';
import type { CreatePackageInput } from './deployment.schema';
import { insertPackage } from './repo';

/** Creates a package with its programs; audited in the same transaction. */
export async function createPackage(options: { actor: Actor; input: CreatePackageInput }) {
  const { actor, input } = options;
  return insertPackage(input, config().SITEBOX_SITE_CODE, (client, key) =>
    reportAudit(
      {
        kind: 'created',
        userName: actor.principal.userName,
        address: actor.address,
        objectType: 'Package',
        objectName: `${key} ${input.name}`,
        newValue: input,
      },
      client,
    ),
  );
}
