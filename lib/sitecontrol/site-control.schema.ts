import { Cron } from 'croner';
import { z } from 'zod';
import { storable } from '../validation/primitives';

// The site control document: every setting of one site, typed, validated and defaulted. Shared by
// the console's forms, the route handlers, both site-control workers and the readers elsewhere
// (device approval, client policy, Status Manager). Leaves are plain JSON values; a change names
// leaves by dotted path ("clientAgent.policyPollingMinutes"), see document-paths.ts.

const whole = (min: number, max: number) =>
  z.number({ error: 'must be a number' }).int('must be a whole number').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

const flag = () => z.boolean({ error: 'must be on or off' });

function isCronPattern(pattern: string): boolean {
  try {
    new Cron(pattern, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const cronPatternMessage = 'must be a cron pattern such as "0 0 * * *" (minute hour day month weekday)';

/** A schedule as a stored document holds it: any pattern croner reads (see settingChangesSchema for what a change may set). */
export const cronPattern = z
  .string({ error: 'must be a cron pattern' })
  .trim()
  .min(1, 'is required')
  .max(100)
  .refine(isCronPattern, cronPatternMessage);

/**
 * Whether a schedule is the five classic fields, or a nickname (@daily). croner also reads six
 * and seven (seconds first, then a year): "* * * * * *" would run a heartbeat or a purge every second.
 */
export function isFiveFieldCronPattern(pattern: string): boolean {
  const fields = pattern.trim().split(/\s+/);
  return fields.length === 5 || (fields.length === 1 && fields[0].startsWith('@'));
}

/** Whether a schedule ever comes: croner reads "0 0 31 2 *" (February 31), which no date matches. */
export function cronPatternOccurs(pattern: string): boolean {
  const cron = new Cron(pattern, { paused: true });
  try {
    return cron.nextRun() !== null;
  } finally {
    cron.stop();
  }
}

export const cronNeverMessage = 'never comes: no date matches it';

export const siteCodeSchema = z.string().regex(/^[A-Z0-9]{3}$/, 'must be 3 capital letters or digits');

/** How severe a status message must be for a destination to take it. */
export const minimumSeveritySchema = z.enum(['INFORMATIONAL', 'WARNING', 'ERROR'], { error: 'must be Informational, Warning or Error' });
export type MinimumSeverity = z.infer<typeof minimumSeveritySchema>;

export const siteSectionSchema = z.object({
  /** The site's identity; shown, never changed through a delta. */
  code: siteCodeSchema,
  name: storable(z.string({ error: 'is required' }).trim().min(1, 'is required').max(50, 'must be at most 50 characters')),
  parentSiteCode: siteCodeSchema.nullable().default(null),
  timeZone: z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'is required')
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC'),
});

export const componentsSectionSchema = z
  .object({
    notificationServer: z
      .object({
        port: whole(1, 65535).default(10123),
        keepAliveMinutes: whole(1, 1440).default(15),
        /** How long a client operation stays valid: clients coming online within it still get it. */
        operationValidityMinutes: whole(1, 10_080).default(60),
      })
      .prefault({}),
    hierarchyManager: z.object({ cycleMinutes: whole(1, 1440).default(60) }).prefault({}),
    siteControlManager: z.object({ heartbeatSchedule: cronPattern.default('0 0 * * *') }).prefault({}),
  })
  .prefault({});

const reportingFor = (defaults: { reportToEventLog: boolean; eventLogMinimumSeverity: MinimumSeverity }) =>
  z
    .object({
      reportToDatabase: flag().default(true),
      databaseMinimumSeverity: minimumSeveritySchema.default('INFORMATIONAL'),
      reportToEventLog: flag().default(defaults.reportToEventLog),
      eventLogMinimumSeverity: minimumSeveritySchema.default(defaults.eventLogMinimumSeverity),
    })
    .prefault({});

/** Status Manager's reporting properties: where server and client component messages go. */
export const statusReportingSectionSchema = z
  .object({
    serverComponents: reportingFor({ reportToEventLog: false, eventLogMinimumSeverity: 'WARNING' }),
    clientComponents: reportingFor({ reportToEventLog: false, eventLogMinimumSeverity: 'ERROR' }),
  })
  .prefault({});

export const scheduleUnitSchema = z.enum(['hours', 'days', 'weeks'], { error: 'must be hours, days or weeks' });

/** An agent cycle: on or off, and how often (default every 7 days, as in the reference product). */
const cycle = () =>
  z
    .object({
      enabled: flag().default(true),
      every: whole(1, 999).default(7),
      unit: scheduleUnitSchema.default('days'),
    })
    .prefault({});

/** A list of absolute paths (a scan's folders), at most 256; a change names the first bad one. */
const pathList = (defaults: string[]) =>
  z
    .array(
      storable(
        z
          .string({ error: 'must be paths' })
          .trim()
          .min(1, 'must not hold an empty path')
          .max(4096, 'must hold paths of at most 4096 characters')
          .startsWith('/', 'must hold absolute paths (each starting with /)'),
      ),
      { error: 'must be a list of paths' },
    )
    .max(256, 'must hold at most 256 paths')
    .default(defaults);

export const clientAgentSectionSchema = z
  .object({
    policyPollingMinutes: whole(5, 1440).default(60),
    softwareMetering: flag().default(true),
    /** The Software Metering Agent: how often it looks at running processes and uploads usage, and how it acknowledges rules. */
    meteringAgent: z
      .object({
        processPollSeconds: whole(2, 3600).default(10),
        uploadMinutes: whole(1, 1440).default(15),
        /** per-policy: one message naming every rule received; per-rule: one 10907 per rule (the reference's flood). */
        acknowledgements: z.enum(['per-policy', 'per-rule'], { error: 'must be per-policy or per-rule' }).default('per-policy'),
      })
      .prefault({}),
    clientNotification: flag().default(true),
    /** Hardware inventory cycle (the agent also inventories at first registration and when pushed). */
    inventory: cycle(),
    /** Software inventory cycle: the installed packages (dpkg, rpm). */
    softwareInventory: cycle(),
    /** Heartbeat discovery: the agent's discovery record (name, FQDN, addresses, OS, agent version). */
    heartbeatDiscovery: cycle(),
    /** Where Quick Scan and Full Scan look on the clients (in place of each agent's own configuration). */
    scan: z
      .object({
        /** Quick Scan: where downloads and temporary files land. */
        quickPaths: pathList(['/home', '/tmp', '/root']),
        /** Full Scan: the file systems from the root. */
        fullPaths: pathList(['/']),
        /** Never scanned: kernel and device file systems, which hang or flood a scan. */
        exclusions: pathList(['/proc', '/sys', '/dev', '/run']),
      })
      .prefault({}),
  })
  .prefault({});

/** Client status: when a client counts as inactive, and when one without a ping counts as offline. */
export const clientStatusSectionSchema = z
  .object({
    /** Active: a policy request, a heartbeat or a hardware inventory within this many days. */
    inactiveAfterDays: whole(1, 365).default(7),
  })
  .prefault({});

const countThresholds = (warningAt: number, criticalAt: number) =>
  z.object({ warningAt: whole(1, 1_000_000).default(warningAt), criticalAt: whole(1, 1_000_000).default(criticalAt) }).prefault({});

export const summarizersSectionSchema = z
  .object({
    /** Component Status Summarizer: message counts per severity that turn a component Warning / Critical. */
    componentStatus: z
      .object({
        informational: countThresholds(2000, 5000),
        warning: countThresholds(10, 50),
        error: countThresholds(1, 5),
      })
      .prefault({}),
    /** Site System Status Summarizer: free space (MB) under which a storage object turns Warning / Critical. */
    siteSystemStatus: z
      .object({
        freeSpaceWarningMb: whole(1, 10_000_000).default(10_240),
        freeSpaceCriticalMb: whole(1, 10_000_000).default(5_120),
        pollingMinutes: whole(1, 1440).default(60),
      })
      .prefault({}),
  })
  .prefault({});

export const maintenanceSectionSchema = z
  .object({
    deleteAgedStatusMessages: z
      .object({
        enabled: flag().default(true),
        schedule: cronPattern.default('0 0 * * *'),
        retentionDays: whole(1, 3650).default(30),
      })
      .prefault({}),
    /**
     * Raw software metering usage (metering_usage): whole days older than this are dropped with
     * Delete Aged Status Messages, once the metering summarizer has counted them.
     */
    deleteAgedMeteringUsage: z.object({ retentionDays: whole(1, 3650).default(90) }).prefault({}),
    /**
     * Inventory history (inventory_report: what each loaded report changed): whole days of loading
     * older than this are dropped with Delete Aged Status Messages. A device's current inventory stays.
     */
    deleteAgedInventoryHistory: z.object({ retentionDays: whole(1, 3650).default(90) }).prefault({}),
    /**
     * Client operations (Run Script outputs and every other per-device result) whose validity
     * ended (or that were cancelled) more than this long ago are deleted by Notification Manager.
     */
    deleteAgedClientOperations: z.object({ retentionDays: whole(1, 3650).default(90) }).prefault({}),
  })
  .prefault({});

export const clientApprovalSectionSchema = z
  .object({ mode: z.enum(['automatic', 'manual'], { error: 'must be automatic or manual' }).default('automatic') })
  .prefault({});

/** The sections after `site`, each of which defaults completely from `{}`. */
export const defaultedSections = {
  components: componentsSectionSchema,
  statusReporting: statusReportingSectionSchema,
  clientAgent: clientAgentSectionSchema,
  summarizers: summarizersSectionSchema,
  maintenance: maintenanceSectionSchema,
  clientApproval: clientApprovalSectionSchema,
  clientStatus: clientStatusSectionSchema,
} as const;

/**
 * The whole document. Rules between properties are checked here too, each reported on the
 * property an administrator would correct.
 */
export const siteControlDocumentSchema = z.object({ site: siteSectionSchema, ...defaultedSections }).superRefine((doc, ctx) => {
  if (doc.site.parentSiteCode !== null && doc.site.parentSiteCode === doc.site.code) {
    ctx.addIssue({ code: 'custom', path: ['site', 'parentSiteCode'], message: 'must not be the site itself' });
  }
  for (const severity of ['informational', 'warning', 'error'] as const) {
    const t = doc.summarizers.componentStatus[severity];
    if (t.warningAt >= t.criticalAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['summarizers', 'componentStatus', severity, 'warningAt'],
        message: `must be lower than the critical threshold (${t.criticalAt})`,
      });
    }
  }
  const storage = doc.summarizers.siteSystemStatus;
  if (storage.freeSpaceCriticalMb >= storage.freeSpaceWarningMb) {
    ctx.addIssue({
      code: 'custom',
      path: ['summarizers', 'siteSystemStatus', 'freeSpaceCriticalMb'],
      message: `must be lower than the warning free space (${storage.freeSpaceWarningMb} MB)`,
    });
  }
});

/** Every setting of a site, as the site control document holds it. */
export type SiteSettings = z.infer<typeof siteControlDocumentSchema>;
export type SiteSection = SiteSettings['site'];

/** A new site's document: its identity plus every default. */
export function defaultSiteSettings(
  site: { code: string; name: string; timeZone?: string; parentSiteCode?: string | null },
  overrides: { purgeSchedule?: string } = {},
): SiteSettings {
  const document = siteControlDocumentSchema.parse({
    site: { code: site.code, name: site.name, timeZone: site.timeZone ?? 'UTC', parentSiteCode: site.parentSiteCode ?? null },
  });
  if (overrides.purgeSchedule) document.maintenance.deleteAgedStatusMessages.schedule = overrides.purgeSchedule;
  return document;
}

/**
 * Reads a stored document whatever state it is in: a section that is missing or no longer
 * valid falls back to its defaults (and `site` to `fallbackSite`), so readers never fail on an
 * old or hand-made document. Writers always validate with siteControlDocumentSchema instead.
 */
export function readSettingsDocument(raw: unknown, fallbackSite: SiteSection): SiteSettings {
  const doc = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const site = siteSectionSchema.safeParse(doc.site);
  const read = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S> => {
    const parsed = schema.safeParse(value);
    return parsed.success ? parsed.data : schema.parse(undefined);
  };
  return {
    site: site.success ? site.data : fallbackSite,
    components: read(componentsSectionSchema, doc.components),
    statusReporting: read(statusReportingSectionSchema, doc.statusReporting),
    clientAgent: read(clientAgentSectionSchema, doc.clientAgent),
    summarizers: read(summarizersSectionSchema, doc.summarizers),
    maintenance: read(maintenanceSectionSchema, doc.maintenance),
    clientApproval: read(clientApprovalSectionSchema, doc.clientApproval),
    clientStatus: read(clientStatusSectionSchema, doc.clientStatus),
  };
}

/**
 * One section of a stored document, read leniently like readSettingsDocument: its defaults
 * when the document lacks it or it no longer validates.
 */
export function readSettingsSection<K extends keyof typeof defaultedSections>(raw: unknown, section: K): SiteSettings[K] {
  const doc = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const schema = defaultedSections[section] as unknown as z.ZodType<SiteSettings[K]>;
  const parsed = schema.safeParse(doc[section]);
  return parsed.success ? parsed.data : schema.parse(undefined);
}
