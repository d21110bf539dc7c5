'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/client/api';
import type { Role } from '@/lib/auth/roles';

export interface UserRow {
  id: number;
  userName: string;
  displayName: string;
  role: Role;
  mustChangePassword: boolean;
  disabledAt: string | null;
  lastSignInAt: string | null;
  createdAt: string;
  failedSignIns: number;
}

export const usersQueryKey = ['users'] as const;

export function useUsersQuery() {
  return useQuery({ queryKey: usersQueryKey, queryFn: () => api<{ users: UserRow[] }>('/api/users') });
}
