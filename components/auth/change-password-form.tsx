'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { FormAlert, FormField } from '@/components/ui/form-field';
import { api, ApiError } from '@/lib/client/api';
import { authAlertClass, authInputClass, authLabelClass } from './auth-form-classes';

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

  // Leaving without choosing a password (someone else's one-time password, a shared computer) ends the session.
  async function signOut() {
    setBusy(true);
    try {
      await api('/api/auth/sign-out', { method: 'POST' });
    } finally {
      window.location.assign('/sign-in');
    }
  }

  return (
    <form onSubmit={onSubmit} className="mt-6 space-y-4" noValidate>
      {fields.map((f) => (
        <FormField key={f.name} label={f.label} labelClassName={authLabelClass} error={error?.fieldMessage(f.name)} errorName="" path={f.name}>
          {(props) => <input {...props} name={f.name} type="password" autoComplete={f.autoComplete} required className={authInputClass} />}
        </FormField>
      ))}
      <FormAlert error={error} shownAt={(path) => fields.some((f) => f.name === path)} className={authAlertClass} />
      <Button type="submit" disabled={busy} variant="primary" size="lg" className="w-full">
        {busy ? 'Saving…' : 'Change password'}
      </Button>
      <Button onClick={() => void signOut()} disabled={busy} size="lg" className="w-full">
        Sign out
      </Button>
    </form>
  );
}
