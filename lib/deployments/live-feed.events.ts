/** Server → console: `{ deployments: number[] }` whose status changed (empty: any). */
export const DEPLOYMENTS_CHANGED_EVENT = 'deployments:changed';
