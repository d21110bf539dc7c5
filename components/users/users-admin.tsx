'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { Table, TBody, THead } from '@/components/ui/table';
import { roleLabels, roles, type Role } from '@/lib/auth/roles';
import { api, ApiError } from '@/lib/client/api';
import { usersQueryKey, useUsersQuery, type UserRow } from './use-users-query';

/** Shown once after a password is generated; the server never shows it again. */
function OneTimePassword({ userName, password, onClose }: { userName: string; password: string; onClose: () => void }) {
  return (
    <div role="status" className="rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
      One-time password for <strong>{userName}</strong>:{' '}
      <code data-testid="one-time-password" className="rounded bg-white px-1 font-mono">
        {password}
      </code>
      <span className="ml-2 text-amber-800">Give it to the user now; it is not shown again. They must change it at first sign-in.</span>
      <Button onClick={onClose} size="xs" className="ml-3">
        Done
      </Button>
    </div>
  );
}

function AddUserForm({ onCreated }: { onCreated: (userName: string, password?: string) => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<ApiError | null>(null);
  const create = useMutation({
    mutationFn: (body: { userName: string; displayName: string; role: Role }) =>
      api<{ userName: string; oneTimePassword?: string }>('/api/users', { method: 'POST', body }),
    onSuccess: (result) => {
      setError(null);
      void queryClient.invalidateQueries({ queryKey: usersQueryKey });
      onCreated(result.userName, result.oneTimePassword);
    },
    onError: (e) => setError(e instanceof ApiError ? e : new ApiError(0, 'INTERNAL', 'The user could not be added.')),
  });

  return (
    <form
      aria-label="Add user"
      noValidate
      className="grid grid-cols-[1fr_1fr_1fr_auto] items-end gap-3 rounded border border-slate-200 bg-white p-3"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        create.mutate({
          userName: String(form.get('userName') ?? ''),
          displayName: String(form.get('displayName') ?? ''),
          role: String(form.get('role')) as Role,
        });
      }}
    >
      <FormField label="User name" error={error?.fieldMessage('userName')} path="userName">
        {(props) => <Input {...props} name="userName" controlSize="md" className="mt-1 block w-full" required />}
      </FormField>
      <FormField label="Display name" error={error?.fieldMessage('displayName')} path="displayName">
        {(props) => <Input {...props} name="displayName" controlSize="md" className="mt-1 block w-full" />}
      </FormField>
      <FormField label="Security role" error={error?.fieldMessage('role')} path="role">
        {(props) => (
          <Select {...props} name="role" controlSize="md" className="mt-1 block w-full" defaultValue="READ_ONLY_ANALYST">
            {roles.map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </Select>
        )}
      </FormField>
      <Button type="submit" disabled={create.isPending} variant="primary">
        Add user
      </Button>
      <FormAlert error={error} shownAt={(path) => ['userName', 'displayName', 'role'].includes(path)} className="col-span-4 text-sm text-red-700" />
    </form>
  );
}

// Each would end the session making it; the server refuses them too (409 naming the field).
const OWN_ACCOUNT_HINT = 'Your own account: change your password from the user menu; another administrator changes your role or state.';

function UserRowView({ user, own, onPassword }: { user: UserRow; own: boolean; onPassword: (userName: string, password: string) => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const onError = (e: unknown) => setError(e instanceof ApiError ? e.message : 'The change failed.');
  const refresh = () => {
    setError(null);
    void queryClient.invalidateQueries({ queryKey: usersQueryKey });
  };
  const update = useMutation({
    mutationFn: (body: { role?: Role; disabled?: boolean }) => api(`/api/users/${user.id}`, { method: 'PATCH', body }),
    onSuccess: refresh,
    onError,
  });
  const reset = useMutation({
    mutationFn: () => api<{ oneTimePassword: string }>(`/api/users/${user.id}/reset-password`, { method: 'POST' }),
    onSuccess: (r) => {
      refresh();
      onPassword(user.userName, r.oneTimePassword);
    },
    onError,
  });
  const disabled = user.disabledAt !== null;
  return (
    <tr className={disabled ? 'text-slate-400' : undefined} data-testid={`user-${user.userName}`}>
      <td className="px-3 py-2 font-medium">{user.userName}</td>
      <td className="px-3 py-2">{user.displayName}</td>
      <td className="px-3 py-2">
        <Select
          aria-label={`Role of ${user.userName}`}
          value={user.role}
          disabled={own || update.isPending}
          title={own ? OWN_ACCOUNT_HINT : undefined}
          onChange={(e) => update.mutate({ role: e.target.value as Role })}
          controlSize="xs"
          className="text-sm"
        >
          {roles.map((r) => (
            <option key={r} value={r}>
              {roleLabels[r]}
            </option>
          ))}
        </Select>
      </td>
      <td className="px-3 py-2">{disabled ? 'Disabled' : user.mustChangePassword ? 'Must change password' : 'Active'}</td>
      <td className="px-3 py-2" title={user.lastSignInAt ?? ''}>
        {user.lastSignInAt ? new Date(user.lastSignInAt).toLocaleString() : 'Never'}
      </td>
      <td className="space-x-2 px-3 py-2 text-right">
        <Button
          size="xs"
          disabled={own || reset.isPending}
          title={own ? OWN_ACCOUNT_HINT : undefined}
          onClick={() => {
            // The user's password stops working at once: ask first, as every other such button does.
            if (window.confirm(`Reset the password of ${user.userName}? Their current password stops working at once.`)) reset.mutate();
          }}
        >
          Reset password
        </Button>
        <Button
          size="xs"
          disabled={own || update.isPending}
          title={own ? OWN_ACCOUNT_HINT : undefined}
          onClick={() => update.mutate({ disabled: !disabled })}
        >
          {disabled ? 'Enable' : 'Disable'}
        </Button>
        {error && (
          <span role="alert" className="block text-xs text-red-700">
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}

/** Administration › Users: add users, assign roles, reset passwords, disable accounts (others' only: see OWN_ACCOUNT_HINT). */
export function UsersAdmin({ selfUserId }: { selfUserId: number }) {
  const users = useUsersQuery();
  const [shown, setShown] = useState<{ userName: string; password: string } | null>(null);
  return (
    <div className="space-y-4">
      <AddUserForm onCreated={(userName, password) => password && setShown({ userName, password })} />
      {shown && <OneTimePassword userName={shown.userName} password={shown.password} onClose={() => setShown(null)} />}
      {users.error && (
        <p role="alert" className="text-sm text-red-700">
          {(users.error as Error).message}
        </p>
      )}
      <Table dense={false}>
        <THead>
          <tr>
            <th className="px-3 py-2">User name</th>
            <th className="px-3 py-2">Display name</th>
            <th className="px-3 py-2">Security role</th>
            <th className="px-3 py-2">State</th>
            <th className="px-3 py-2">Last sign-in</th>
            <th className="px-3 py-2" />
          </tr>
        </THead>
        <TBody>
          {users.data?.users.map((u) => (
            <UserRowView key={u.id} user={u} own={u.id === selfUserId} onPassword={(userName, password) => setShown({ userName, password })} />
          ))}
        </TBody>
      </Table>
    </div>
  );
}
