import type { PolicyDeployment } from './deployment.schema';
import { findPolicyDeployments } from './repo';

/**
 * The deployments a device's policy carries: those targeted at a collection it belongs to,
 * available, and not expired. Withdrawn from policy at the expiration time.
 */
export function policyDeployments(options: { deviceId: number; now: Date }): Promise<PolicyDeployment[]> {
  return findPolicyDeployments(options.deviceId, options.now);
}
