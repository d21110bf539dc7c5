import { pool } from '../db/pool';
import type { OnlineEstimate } from './client-operation.schema';
import type { ClientNotificationSettings } from './notification-settings';
import * as repo from './repo';
import { resolveOperationTarget } from './resolve-operation-target';

/** What the console shows before the administrator confirms: targets, and how many are online now. */
export async function estimateOnlineClients(
  picked: { collectionId?: number; deviceNames?: string[]; deviceIds?: number[] },
  settings: Pick<ClientNotificationSettings, 'operationValidityMinutes'>,
): Promise<OnlineEstimate> {
  const resolved = await resolveOperationTarget(picked);
  const counts = await repo.countTargets(pool(), resolved.target);
  return {
    targetName: resolved.targetName,
    total: counts.total,
    online: counts.online,
    validityMinutes: settings.operationValidityMinutes,
    unknownDevices: resolved.unknownDevices,
  };
}
