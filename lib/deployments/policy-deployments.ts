import type { PolicyDeployment } from '../protocol/policy-deployment.schema';
import { findPolicyDeployments, findPolicyDeploymentsForDevices } from './repo';

/**
 * The deployments a device's policy carries: those targeted at a collection it belongs to,
 * available, and not expired. Withdrawn from policy at the expiration time.
 */
export function policyDeployments(options: { deviceId: number; now: Date }): Promise<PolicyDeployment[]> {
  return findPolicyDeployments(options.deviceId, options.now);
}

/** The same for many devices at once, by device id. */
export function policyDeploymentsForDevices(options: { deviceIds: number[]; now: Date }): Promise<Map<number, PolicyDeployment[]>> {
  return findPolicyDeploymentsForDevices(options.deviceIds, options.now);
}
