'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { api, ApiError } from '@/lib/client/api';
import { authAlertClass, authInputClass, authLabelClass } from './auth-form-classes';

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
      <FormField label="User name" labelClassName={authLabelClass} error={error?.fieldMessage('userName')} path="userName">
        {(props) => <input {...props} name="userName" autoComplete="username" required autoFocus className={authInputClass} />}
      </FormField>
      <FormField label="Password" labelClassName={authLabelClass} error={error?.fieldMessage('password')} path="password">
        {(props) => <input {...props} name="password" type="password" autoComplete="current-password" required className={authInputClass} />}
      </FormField>
      <FormAlert error={error} shownAt={(path) => path === 'userName' || path === 'password'} className={authAlertClass} />
      <Button type="submit" disabled={busy} variant="primary" size="lg" className="w-full">
        {busy ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
