/**
 * Message IDs of the provider's audit messages. Insertion strings: %1 user, %2 verb,
 * %3 object type, %4 object name (and for sign-in, %2 the address).
 */
export const auditMessageIds = {
  created: 30000,
  modified: 30001,
  deleted: 30002,
  performed: 30003,
  signedIn: 30010,
  signInFailed: 30011,
  signedOut: 30012,
} as const;

export type AuditKind = keyof typeof auditMessageIds;
