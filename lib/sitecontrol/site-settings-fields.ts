// How the console shows each setting: the property sheets' tabs and groups, each field's label
// and input. Plain data, shared by the forms, history, diffs and status messages; a test checks
// it names every setting of the document exactly once.

/** How a setting is edited; `lines` is a list of text values, one per line of a text area. */
export type FieldKind = 'text' | 'number' | 'boolean' | 'select' | 'lines';

export interface SettingField {
  path: string;
  label: string;
  kind: FieldKind;
  options?: readonly { value: string; label: string }[];
  /** Shown after a number, e.g. "minutes". */
  unit?: string;
  hint?: string;
  /** An empty text field means "none" (null). */
  nullable?: boolean;
  /** Shown but never changed (the site code). */
  readOnly?: boolean;
}

export interface SettingGroup {
  label: string;
  fields: readonly SettingField[];
}

export interface SettingTab {
  id: 'general' | 'ports' | 'client-agents' | 'status-reporting' | 'maintenance';
  label: string;
  groups: readonly SettingGroup[];
}

const severityOptions = [
  { value: 'INFORMATIONAL', label: 'Informational and above' },
  { value: 'WARNING', label: 'Warning and above' },
  { value: 'ERROR', label: 'Error only' },
] as const;

const reporting = (prefix: string): SettingField[] => [
  { path: `${prefix}.reportToDatabase`, label: 'Report to the site database', kind: 'boolean' },
  { path: `${prefix}.databaseMinimumSeverity`, label: 'Database: minimum severity', kind: 'select', options: severityOptions },
  { path: `${prefix}.reportToEventLog`, label: 'Report to the event log', kind: 'boolean' },
  { path: `${prefix}.eventLogMinimumSeverity`, label: 'Event log: minimum severity', kind: 'select', options: severityOptions },
];

const counts = (severity: string, label: string): SettingField[] => [
  { path: `summarizers.componentStatus.${severity}.warningAt`, label: `${label} messages: Warning at`, kind: 'number', unit: 'messages' },
  { path: `summarizers.componentStatus.${severity}.criticalAt`, label: `${label} messages: Critical at`, kind: 'number', unit: 'messages' },
];

/** An agent cycle's fields: on or off, every N, and the unit. */
const cycleGroup = (label: string, prefix: string, agentLabel: string, everyLabel: string): SettingGroup => ({
  label,
  fields: [
    { path: `${prefix}.enabled`, label: agentLabel, kind: 'boolean' },
    { path: `${prefix}.every`, label: `${everyLabel} every`, kind: 'number' },
    {
      path: `${prefix}.unit`,
      label: `${everyLabel} interval unit`,
      kind: 'select',
      options: [
        { value: 'hours', label: 'hours' },
        { value: 'days', label: 'days' },
        { value: 'weeks', label: 'weeks' },
      ],
    },
  ],
});

const cronHint = "Cron pattern: minute hour day month weekday, in the site's time zone.";

export const settingTabs: readonly SettingTab[] = [
  {
    id: 'general',
    label: 'General',
    groups: [
      {
        label: 'Site',
        fields: [
          { path: 'site.code', label: 'Site code', kind: 'text', readOnly: true },
          { path: 'site.name', label: 'Site name', kind: 'text' },
          { path: 'site.parentSiteCode', label: 'Parent site code', kind: 'text', nullable: true, hint: 'Empty for a central site.' },
          { path: 'site.timeZone', label: 'Time zone', kind: 'text', hint: 'IANA name, e.g. UTC or America/New_York.' },
        ],
      },
      {
        label: 'Client approval',
        fields: [
          {
            path: 'clientApproval.mode',
            label: 'Approve new clients',
            kind: 'select',
            options: [
              { value: 'automatic', label: 'Automatically' },
              { value: 'manual', label: 'Manually (an administrator approves each device)' },
            ],
          },
        ],
      },
    ],
  },
  {
    id: 'ports',
    label: 'Ports',
    groups: [
      {
        label: 'Notification Server',
        fields: [
          {
            path: 'components.notificationServer.port',
            label: 'Client notification port',
            kind: 'number',
            hint: 'TCP port clients connect to for notifications.',
          },
          { path: 'components.notificationServer.keepAliveMinutes', label: 'Keep-alive interval', kind: 'number', unit: 'minutes' },
          {
            path: 'components.notificationServer.operationValidityMinutes',
            label: 'Client operation validity',
            kind: 'number',
            unit: 'minutes',
            hint: 'Clients that come online within this time still receive a client operation.',
          },
        ],
      },
    ],
  },
  {
    id: 'client-agents',
    label: 'Client Agents',
    groups: [
      {
        label: 'Client policy',
        fields: [{ path: 'clientAgent.policyPollingMinutes', label: 'Policy polling interval', kind: 'number', unit: 'minutes' }],
      },
      {
        label: 'Agents',
        fields: [
          { path: 'clientAgent.softwareMetering', label: 'Software Metering Agent', kind: 'boolean' },
          { path: 'clientAgent.clientNotification', label: 'Client notification', kind: 'boolean' },
        ],
      },
      {
        label: 'Software metering',
        fields: [
          { path: 'clientAgent.meteringAgent.processPollSeconds', label: 'Look at running programs every', kind: 'number', unit: 'seconds' },
          { path: 'clientAgent.meteringAgent.uploadMinutes', label: 'Upload usage every', kind: 'number', unit: 'minutes' },
          {
            path: 'clientAgent.meteringAgent.acknowledgements',
            label: 'Rule acknowledgements',
            kind: 'select',
            options: [
              { value: 'per-policy', label: 'One message per policy naming every rule' },
              { value: 'per-rule', label: 'One 10907 per rule received' },
            ],
            hint: 'One message per rule is how the reference product acknowledged rules; with many rules and clients it floods the site.',
          },
        ],
      },
      cycleGroup('Hardware inventory', 'clientAgent.inventory', 'Hardware Inventory Agent', 'Inventory'),
      cycleGroup('Software inventory', 'clientAgent.softwareInventory', 'Software Inventory Agent', 'Software inventory'),
      cycleGroup('Heartbeat discovery', 'clientAgent.heartbeatDiscovery', 'Heartbeat Discovery', 'Heartbeat'),
      {
        label: 'Scan paths',
        fields: [
          { path: 'clientAgent.scan.quickPaths', label: 'Quick Scan folders', kind: 'lines', hint: 'One absolute path per line.' },
          { path: 'clientAgent.scan.fullPaths', label: 'Full Scan folders', kind: 'lines', hint: 'One absolute path per line.' },
          {
            path: 'clientAgent.scan.exclusions',
            label: 'Never scanned',
            kind: 'lines',
            hint: 'Folders both scans leave out (kernel and device file systems), one per line.',
          },
        ],
      },
      {
        label: 'Client status',
        fields: [
          {
            path: 'clientStatus.inactiveAfterDays',
            label: 'Inactive after',
            kind: 'number',
            unit: 'days',
            hint: 'A client is active while it made a policy request, sent a heartbeat or a hardware inventory within this time.',
          },
        ],
      },
    ],
  },
  {
    id: 'status-reporting',
    label: 'Status Reporting',
    groups: [
      { label: 'Server components', fields: reporting('statusReporting.serverComponents') },
      { label: 'Client components', fields: reporting('statusReporting.clientComponents') },
      {
        label: 'Component Status Summarizer',
        fields: [...counts('informational', 'Informational'), ...counts('warning', 'Warning'), ...counts('error', 'Error')],
      },
      {
        label: 'Site System Status Summarizer',
        fields: [
          { path: 'summarizers.siteSystemStatus.freeSpaceWarningMb', label: 'Free space: Warning under', kind: 'number', unit: 'MB' },
          { path: 'summarizers.siteSystemStatus.freeSpaceCriticalMb', label: 'Free space: Critical under', kind: 'number', unit: 'MB' },
          { path: 'summarizers.siteSystemStatus.pollingMinutes', label: 'Check storage every', kind: 'number', unit: 'minutes' },
        ],
      },
    ],
  },
  {
    id: 'maintenance',
    label: 'Maintenance',
    groups: [
      {
        label: 'Delete Aged Status Messages',
        fields: [
          { path: 'maintenance.deleteAgedStatusMessages.enabled', label: 'Enable this task', kind: 'boolean' },
          { path: 'maintenance.deleteAgedStatusMessages.schedule', label: 'Schedule', kind: 'text', hint: cronHint },
          { path: 'maintenance.deleteAgedStatusMessages.retentionDays', label: 'Delete messages older than', kind: 'number', unit: 'days' },
          {
            path: 'maintenance.deleteAgedMeteringUsage.retentionDays',
            label: 'Delete raw metering usage older than',
            kind: 'number',
            unit: 'days',
            hint: 'On the same schedule; a day the metering summarizer has not counted yet is kept until it has.',
          },
          {
            path: 'maintenance.deleteAgedInventoryHistory.retentionDays',
            label: 'Delete inventory history older than',
            kind: 'number',
            unit: 'days',
            hint: 'On the same schedule: what each report changed, by day loaded. Each device’s current inventory is kept.',
          },
        ],
      },
      {
        label: 'Client operation results',
        fields: [
          {
            path: 'maintenance.deleteAgedClientOperations.retentionDays',
            label: 'Delete client operations ended more than',
            kind: 'number',
            unit: 'days',
            hint: 'With their per-device results and script outputs; checked every hour.',
          },
        ],
      },
      {
        label: 'Site control',
        fields: [
          { path: 'components.hierarchyManager.cycleMinutes', label: 'Hierarchy Manager cycle', kind: 'number', unit: 'minutes' },
          { path: 'components.siteControlManager.heartbeatSchedule', label: 'Site Control Manager heartbeat', kind: 'text', hint: cronHint },
        ],
      },
    ],
  },
];

const byPath = new Map(
  settingTabs.flatMap((t) => t.groups.flatMap((g) => g.fields.map((f) => [f.path, { ...f, tab: t.label, group: g.label }] as const))),
);

/** The field for a path, with the tab and group it sits in. */
export function settingField(path: string): (SettingField & { tab: string; group: string }) | undefined {
  return byPath.get(path);
}

/** A setting's name as people read it: "Notification Server: Keep-alive interval". */
export function settingLabel(path: string): string {
  const field = byPath.get(path);
  return field ? `${field.group}: ${field.label}` : path;
}

/** A value as the console and messages show it. */
export function formatSettingValue(path: string, value: unknown): string {
  if (value === null || value === undefined) return '(none)';
  const field = byPath.get(path);
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : '(none)';
  const option = field?.options?.find((o) => o.value === value);
  if (option) return option.label;
  return field?.unit ? `${String(value)} ${field.unit}` : String(value);
}
