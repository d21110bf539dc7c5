/**
 * Security roles, after the console's: what each may do is decided here and nowhere else.
 * Every route handler, page and socket namespace asks one of these functions on the server.
 */
export const roles = ['FULL_ADMINISTRATOR', 'OPERATIONS_ADMINISTRATOR', 'READ_ONLY_ANALYST'] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  FULL_ADMINISTRATOR: 'Full Administrator',
  OPERATIONS_ADMINISTRATOR: 'Operations Administrator',
  READ_ONLY_ANALYST: 'Read-only Analyst',
};

/** The signed-in user as the server sees them. */
export interface Principal {
  userId: number;
  userName: string;
  role: Role;
}

const isFull = (p: Principal) => p.role === 'FULL_ADMINISTRATOR';
const isOperator = (p: Principal) => p.role === 'FULL_ADMINISTRATOR' || p.role === 'OPERATIONS_ADMINISTRATOR';

export const canReadConsole = (_p: Principal) => true;
export const canEditSiteSettings = isFull;
export const canEditStatusFilterRules = isFull;
export const canEditStatusMessageQueries = isFull;
export const canEditSummarizerSettings = isFull;
export const canManageUsers = isFull;
export const canManageDevices = isFull;
export const canEditCollections = isFull;
export const canEditMeteringRules = isFull;
export const canRunClientOperations = isOperator;
export const canManageDeployments = isOperator;
export const canResetSummarizerCounts = isOperator;
/** Writing scripts and approving them are separate: an approver reviews what an author wrote. */
export const canEditScripts = isOperator;
export const canApproveScripts = isFull;

/** Named permissions, for route options and the UI's enabling of controls. */
export const permissions = {
  readConsole: canReadConsole,
  editSiteSettings: canEditSiteSettings,
  editStatusFilterRules: canEditStatusFilterRules,
  editStatusMessageQueries: canEditStatusMessageQueries,
  editSummarizerSettings: canEditSummarizerSettings,
  manageUsers: canManageUsers,
  manageDevices: canManageDevices,
  editCollections: canEditCollections,
  editMeteringRules: canEditMeteringRules,
  runClientOperations: canRunClientOperations,
  manageDeployments: canManageDeployments,
  resetSummarizerCounts: canResetSummarizerCounts,
  editScripts: canEditScripts,
  approveScripts: canApproveScripts,
} as const satisfies Record<string, (p: Principal) => boolean>;

export type Permission = keyof typeof permissions;

/** Every permission the principal holds, for the UI. */
export function grantedPermissions(principal: Principal): Permission[] {
  return (Object.keys(permissions) as Permission[]).filter((name) => permissions[name](principal));
}
