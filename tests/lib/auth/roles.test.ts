import { describe, expect, it } from 'vitest';
import { grantedPermissions, permissions, type Permission, type Role } from '@/lib/auth/roles';

const as = (role: Role) => ({ userId: 1, userName: 'u', role });

// The security roles' matrix, spelled out: a change to roles.ts must change this table too.
const expected: Record<Role, Permission[]> = {
  FULL_ADMINISTRATOR: Object.keys(permissions) as Permission[],
  OPERATIONS_ADMINISTRATOR: ['readConsole', 'runClientOperations', 'manageDeployments', 'resetSummarizerCounts', 'editScripts'],
  READ_ONLY_ANALYST: ['readConsole'],
};

describe('roles', () => {
  for (const [role, granted] of Object.entries(expected) as [Role, Permission[]][]) {
    it(`${role} holds exactly its permissions`, () => {
      expect(grantedPermissions(as(role)).sort()).toEqual([...granted].sort());
    });
  }
});
