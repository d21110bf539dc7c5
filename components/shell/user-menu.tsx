'use client';

import { useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { api, stopApiRequests } from '@/lib/client/api';

export function UserMenu({ userName, roleLabel }: { userName: string; roleLabel: string }) {
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  async function signOut() {
    setBusy(true);
    // Requests still under way or started by a live update would reach the server after the
    // session ended: stop them first.
    stopApiRequests();
    await queryClient.cancelQueries();
    try {
      await api('/api/auth/sign-out', { method: 'POST' });
    } finally {
      window.location.assign('/sign-in');
    }
  }
  return (
    <div className="flex items-center gap-3 text-sm">
      <span className="text-slate-200">
        <span data-testid="signed-in-user" className="font-medium text-white">
          {userName}
        </span>
        <span className="ml-1 text-slate-400">({roleLabel})</span>
      </span>
      <Link href="/change-password" className="text-slate-300 hover:text-white">
        Change password
      </Link>
      <button
        type="button"
        onClick={signOut}
        disabled={busy}
        className="rounded border border-slate-500 px-2 py-0.5 text-slate-100 hover:bg-slate-700"
      >
        Sign out
      </button>
    </div>
  );
}
