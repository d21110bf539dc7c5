'use client';

import { useState } from 'react';
import { api, ApiError } from '@/lib/client/api';

export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ mustChangePassword: boolean }>('/api/auth/sign-in', {
        method: 'POST',
        body: { userName: form.get('userName'), password: form.get('password') },
      });
      window.location.assign(result.mustChangePassword ? `/change-password?next=${encodeURIComponent(next)}` : next);
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(0, 'NETWORK', 'The server could not be reached.'));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      <label className="block text-sm">
        <span className="font-medium text-slate-700">User name</span>
        <input name="userName" autoComplete="username" required autoFocus
          className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600" />
        {error?.fieldMessage('userName') && <span className="mt-1 block text-xs text-red-700">User name {error.fieldMessage('userName')}</span>}
      </label>
      <label className="block text-sm">
        <span className="font-medium text-slate-700">Password</span>
        <input name="password" type="password" autoComplete="current-password" required
          className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 text-sm focus:border-blue-600 focus:outline-none focus:ring-1 focus:ring-blue-600" />
        {error?.fieldMessage('password') && <span className="mt-1 block text-xs text-red-700">Password {error.fieldMessage('password')}</span>}
      </label>
      {error && !error.fields.length && (
        <p role="alert" className="rounded border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{error.message}</p>
      )}
      <button type="submit" disabled={busy}
        className="w-full rounded bg-blue-700 px-3 py-2 text-sm font-medium text-white hover:bg-blue-800 disabled:opacity-60">
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
