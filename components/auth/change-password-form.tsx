'use client';

import { useState } from 'react';
import { api, ApiError } from '@/lib/client/api';

const fields = [
  { name: 'currentPassword', label: 'Current password', autoComplete: 'current-password' },
  { name: 'newPassword', label: 'New password (12 characters or more)', autoComplete: 'new-password' },
  { name: 'confirmPassword', label: 'New password again', autoComplete: 'new-password' },
] as const;

export function ChangePasswordForm({ next }: { next: string }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (form.get('newPassword') !== form.get('confirmPassword')) {
      setError(new ApiError(400, 'BAD_REQUEST', 'The passwords differ.', [{ path: 'confirmPassword', message: 'does not match the new password' }]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api('/api/auth/password', {
        method: 'POST',
        body: { currentPassword: form.get('currentPassword'), newPassword: form.get('newPassword') },
      });
      window.location.assign(next);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', 'The server could not be reached.'));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      {fields.map((f) => (
        <label key={f.name} className="block text-sm">
          <span className="font-medium text-slate-700">{f.label}</span>
          <input name={f.name} type="password" autoComplete={f.autoComplete} required
            className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600" />
          {error?.fieldMessage(f.name) && <span className="mt-1 block text-xs text-red-700">{error.fieldMessage(f.name)}</span>}
        </label>
      ))}
      {error && !error.fields.length && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{error.message}</p>
      )}
      <button type="submit" disabled={busy}
        className="w-full rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {busy ? 'Saving…' : 'Change password'}
      </button>
    </form>
  );
}
