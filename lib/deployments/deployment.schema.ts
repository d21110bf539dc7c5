import { z } from 'zod';
import { runConditionsSchema, type RunConditions } from '../protocol/policy-deployment.schema';
import { int4Id, requiredText, safeDate, safeText } from '../validation/primitives';

/** Per-client deployment status, derived from the program status messages the client reports. */
export const clientStatuses = ['NONE', 'RECEIVED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'RETRYING'] as const;
export type ClientStatus = (typeof clientStatuses)[number];

export const clientStatusLabels: Record<ClientStatus, string> = {
  NONE: 'None',
  RECEIVED: 'Received',
  RUNNING: 'Running',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  RETRYING: 'Retrying',
};

const trimmed = safeText;
const required = requiredText;

export const programInputSchema = z.object({
  name: required(100),
  commandLine: required(1024),
  runConditions: runConditionsSchema.default(runConditionsSchema.parse({})),
});
export type ProgramInput = z.infer<typeof programInputSchema>;

export const createPackageSchema = z
  .object({
    name: required(100),
    version: trimmed(50).default(''),
    manufacturer: trimmed(100).default(''),
    programs: z.array(programInputSchema).max(20, 'at most 20 programs').default([]),
  })
  .superRefine((p, ctx) => {
    const seen = new Set<string>();
    p.programs.forEach((program, i) => {
      const key = program.name.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({ code: 'custom', path: ['programs', i, 'name'], message: 'is already used by another program of this package' });
      seen.add(key);
    });
  });
export type CreatePackageInput = z.infer<typeof createPackageSchema>;

const isoDate = safeDate('must be a real date and time between the years 1 and 9999');

/** The available, mandatory and expiration times must come in that order. */
function checkSchedule(d: { availableAt: Date; mandatoryAt: Date | null; expiresAt: Date | null }, ctx: z.RefinementCtx) {
  if (d.mandatoryAt && d.mandatoryAt < d.availableAt) {
    ctx.addIssue({ code: 'custom', path: ['mandatoryAt'], message: 'must not be before the available time' });
  }
  if (d.expiresAt && d.expiresAt <= d.availableAt) {
    ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after the available time' });
  }
  if (d.expiresAt && d.mandatoryAt && d.expiresAt <= d.mandatoryAt) {
    ctx.addIssue({ code: 'custom', path: ['expiresAt'], message: 'must be after the mandatory time' });
  }
}

const scheduleSchema = z.object({
  availableAt: isoDate,
  mandatoryAt: isoDate.nullable().default(null),
  expiresAt: isoDate.nullable().default(null),
});

export const createDeploymentSchema = z
  .object({
    name: required(100),
    comment: trimmed(500).default(''),
    programId: int4Id('choose a program'),
    collectionId: int4Id('choose a collection'),
  })
  .extend(scheduleSchema.shape)
  .superRefine(checkSchedule);

/** A deployment's new schedule (and name, comment): checked again together with what it keeps. */
export const updateDeploymentSchema = z
  .object({ name: required(100), comment: trimmed(500).default('') })
  .extend(scheduleSchema.shape)
  .superRefine(checkSchedule);
export type UpdateDeploymentInput = z.infer<typeof updateDeploymentSchema>;

/**
 * A change from the console: the deployment's name, comment and schedule and, from its form, the
 * version it was made from (`updatedAt` as read), so a form opened before someone else's change
 * never overwrites it unseen.
 */
export const editDeploymentSchema = updateDeploymentSchema.safeExtend({ baseUpdatedAt: safeDate().optional() });
export type EditDeploymentInput = z.infer<typeof editDeploymentSchema>;
export type CreateDeploymentInput = z.infer<typeof createDeploymentSchema>;

export const deploymentClientsQuerySchema = z.object({
  status: z.enum(clientStatuses).optional(),
  search: trimmed(100).optional(),
  late: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type DeploymentClientsQuery = z.infer<typeof deploymentClientsQuerySchema>;

/** Counts of the program status messages a deployment's clients reported (the summarizer's). */
export interface DeploymentMessageCounts {
  received: number;
  programStarted: number;
  programErrors: number;
  programSucceeded: number;
  retrying: number;
  expiredUnrun: number;
  lateReports: number;
  lastMessageAt: string | null;
}

/** One row of the Deployments list. */
export interface DeploymentRow {
  id: number;
  deploymentId: string;
  name: string;
  comment: string;
  packageId: string;
  packageName: string;
  packageVersion: string;
  programName: string;
  collectionId: number;
  collectionName: string;
  availableAt: string;
  mandatoryAt: string | null;
  expiresAt: string | null;
  expiredAt: string | null;
  state: 'SCHEDULED' | 'ACTIVE' | 'EXPIRED';
  createdBy: string;
  /** When the name, comment or schedule last changed (or the deployment expired): the version an edit names as `baseUpdatedAt`. */
  updatedAt: string;
  targeted: number;
  /** Clients by derived status. */
  statusCounts: Record<ClientStatus, number>;
  lateClients: number;
  messages: DeploymentMessageCounts;
}

export interface DeploymentClientRow {
  deviceId: number;
  deviceName: string;
  siteCode: string;
  status: ClientStatus;
  exitCode: number | null;
  lastReportAt: string | null;
  receivedAt: string | null;
  lastMessageId: number | null;
  late: boolean;
}

export interface DeploymentClientPage {
  rows: DeploymentClientRow[];
  total: number;
  page: number;
  pageSize: number;
}

export interface PackageRow {
  id: number;
  packageId: string;
  name: string;
  version: string;
  manufacturer: string;
  programs: { id: number; name: string; commandLine: string; runConditions: RunConditions }[];
  deployments: number;
}
