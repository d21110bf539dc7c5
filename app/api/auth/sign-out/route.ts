import { NextResponse } from 'next/server';
import { reportAudit } from '@/lib/audit/report-audit';
import { clearSessionCookies } from '@/lib/auth/session-cookies';
import { endSession } from '@/lib/auth/sessions';
import { route } from '@/lib/http/route';

// Open to a user who still owes a password change: leaving without choosing one must end the session too.
export const POST = route({ allowPendingPasswordChange: true }, async ({ session, address }) => {
  await endSession(session.sessionId);
  const userName = session.principal.userName;
  await reportAudit({ kind: 'signedOut', userName, address, objectType: 'ConsoleUser', objectName: userName });
  const response = NextResponse.json({ signedOut: true });
  clearSessionCookies(response);
  return response;
});
