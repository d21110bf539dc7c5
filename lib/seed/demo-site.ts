import type { QueryRule } from '../collections/collection-rule.schema';

/**
 * The demo site. Its site server is this server itself, named by SITEBOX_SERVER_NAME, with the
 * roles and components it runs (lib/sites/server-components.ts), so everything it reports
 * lands on the system the console shows.
 */
export const demoSite = {
  code: 'S01',
  name: 'Central',
  timeZone: 'America/New_York',
} as const;

/**
 * Site systems earlier seeds created under made-up names. None of them ever ran: this server
 * reported under its own name beside them.
 */
export const legacyDemoSystems = ['S01-SS01.corp.example.com', 'S01-MP01.corp.example.com', 'S01-MP02.corp.example.com'] as const;

export type DemoCollection = { collectionId: string; name: string; comment: string; query?: QueryRule; limitToAllSystems?: boolean };

/** The demo collections of site `siteCode`: the built-in SMS ones, then the site's own keys (S0100001 for S01). */
export function demoCollections(siteCode: string): DemoCollection[] {
  return builtInAndDemoCollections.map((c) => ({
    ...c,
    collectionId: c.collectionId.replace(/^S01/, siteCode),
    query: c.query && {
      ...c.query,
      conditions: c.query.conditions.map((cond) => (cond.field === 'siteCode' ? { ...cond, value: siteCode } : cond)),
    },
  }));
}

const builtInAndDemoCollections: DemoCollection[] = [
  {
    collectionId: 'SMS00001',
    name: 'All Systems',
    comment: 'Every client known to the site',
    query: { match: 'all', conditions: [{ field: 'siteCode', value: 'S01' }] },
  },
  {
    collectionId: 'SMS00002',
    name: 'All Servers',
    comment: 'Every server-class operating system',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osKind', value: 'SERVER' }] },
  },
  {
    collectionId: 'SMS00003',
    name: 'All Workstations',
    comment: 'Desktops and laptops',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osKind', value: 'WORKSTATION' }] },
  },
  {
    collectionId: 'S0100001',
    name: 'All Windows 11 Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'Windows 11' }] },
  },
  {
    collectionId: 'S0100002',
    name: 'All Windows 10 Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'Windows 10' }] },
  },
  {
    collectionId: 'S0100003',
    name: 'All Windows Server 2022 Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'Windows Server 2022' }] },
  },
  {
    collectionId: 'S0100004',
    name: 'All Windows Server 2019 Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'Windows Server 2019' }] },
  },
  {
    collectionId: 'S0100005',
    name: 'All Windows Server 2016 Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'Windows Server 2016' }] },
  },
  {
    collectionId: 'S0100006',
    name: 'All Linux Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'Ubuntu' }] },
  },
  {
    collectionId: 'S0100007',
    name: 'All macOS Systems',
    comment: '',
    limitToAllSystems: true,
    query: { match: 'all', conditions: [{ field: 'osName', op: 'contains', value: 'macOS' }] },
  },
];

/** Default status filter rules, evaluated in priority order. */
export const defaultFilterRules = [
  { priority: 10, name: 'Write audit messages to the database', messageType: 'AUDIT', writeToDatabase: true, retentionDays: 180 },
  { priority: 20, name: 'Replicate server errors to the parent site', source: 'SERVER', severity: 'ERROR', replicateToParent: 'HIGH' },
  {
    priority: 30,
    name: 'Keep software metering rule acknowledgements (10907) for one day only',
    messageId: 10907,
    writeToDatabase: true,
    retentionDays: 1,
    forwardToSummarizers: false,
    stopProcessing: true,
  },
  { priority: 1000, name: 'Write all other messages to the database', writeToDatabase: true, retentionDays: 30 },
] as const;

/** Component Status Summarizer defaults: counts within the display interval per severity. */
export const defaultComponentThresholds = [
  { severity: 'INFORMATIONAL', warningAt: 2000, criticalAt: 5000 },
  { severity: 'WARNING', warningAt: 10, criticalAt: 50 },
  { severity: 'ERROR', warningAt: 1, criticalAt: 5 },
] as const;
