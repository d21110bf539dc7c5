import { AppError } from '../errors';
import * as repo from './repo';
import type { StatusMessageFilterField } from './status-message-filters.schema';
import { queryCriteriaSchema, type QueryCriteria, type StatusMessageQueryView } from './status-query.schema';

/** Status Message Queries every site has, after the console Sitebox is modelled on. */
export const builtInQueries: Omit<StatusMessageQueryView, 'prompts' | 'createdBy' | 'builtIn'>[] = [
  { id: 'builtin:all', name: 'All Status Messages', description: 'Every stored message, newest first.', criteria: {} },
  {
    id: 'builtin:component-at-site',
    name: 'Status Messages from a Specific Component at a Specific Site',
    description: '',
    criteria: { component: { prompt: 'Component' }, site: { prompt: 'Site code' } },
  },
  {
    id: 'builtin:system',
    name: 'All Status Messages from a Specific System',
    description: '',
    criteria: { system: { prompt: 'System name' } },
  },
  {
    id: 'builtin:deployment',
    name: 'All Status Messages for a Specific Deployment',
    description: 'Messages whose AdvertisementID property names the deployment.',
    criteria: { propertyName: 'AdvertisementID', propertyValue: { prompt: 'Deployment ID' } },
  },
  {
    id: 'builtin:package',
    name: 'All Status Messages for a Specific Package',
    description: '',
    criteria: { propertyName: 'PackageID', propertyValue: { prompt: 'Package ID' } },
  },
  {
    id: 'builtin:collection',
    name: 'All Status Messages for a Specific Collection',
    description: '',
    criteria: { propertyName: 'CollectionID', propertyValue: { prompt: 'Collection ID' } },
  },
  {
    id: 'builtin:message-id',
    name: 'Status Messages with a Specific Message ID',
    description: '',
    criteria: { messageId: { prompt: 'Message ID' } },
  },
  {
    id: 'builtin:audit-since',
    name: 'All Audit Status Messages Since a Specified Date',
    description: 'Changes made by administrators, and console sign-ins.',
    criteria: { type: 'AUDIT', from: { prompt: 'Since (date and time)' } },
  },
  {
    id: 'builtin:audit-user',
    name: 'All Audit Status Messages for a Specific User',
    description: '',
    criteria: { type: 'AUDIT', propertyName: 'UserName', propertyValue: { prompt: 'User name' } },
  },
  {
    id: 'builtin:errors-since',
    name: 'Error Status Messages Since a Specified Date',
    description: '',
    criteria: { severity: 'ERROR', from: { prompt: 'Since (date and time)' } },
  },
];

export function promptsOf(criteria: QueryCriteria): StatusMessageQueryView['prompts'] {
  return Object.entries(criteria)
    .filter(([, v]) => typeof v === 'object')
    .map(([field, v]) => ({ field: field as StatusMessageFilterField, label: (v as { prompt: string }).prompt }));
}

/**
 * The filters a query stands for, with each prompt answered from `values` (keyed by field).
 * A prompt left unanswered is a 400 naming `prompt.<field>`. Pure.
 */
export function resolveQuery(options: { criteria: QueryCriteria; values: Record<string, string | undefined> }): Record<string, string> {
  const resolved: Record<string, string> = {};
  const missing: { path: string; message: string }[] = [];
  for (const [field, value] of Object.entries(options.criteria)) {
    if (value === undefined) continue;
    if (typeof value === 'string') {
      resolved[field] = value;
      continue;
    }
    const answer = options.values[field]?.trim();
    if (answer) resolved[field] = answer;
    else missing.push({ path: `prompt.${field}`, message: `"${value.prompt}" is required by this query` });
  }
  if (missing.length) {
    throw new AppError('BAD_REQUEST', { userMessage: 'The query needs a value for each prompt.', details: { fields: missing } });
  }
  return resolved;
}

/** Built-in queries first, then the saved ones by name. */
export async function listStatusMessageQueries(): Promise<StatusMessageQueryView[]> {
  const saved = await repo.listSavedQueries();
  return [...builtInQueries.map((q) => ({ ...q, builtIn: true, prompts: promptsOf(q.criteria), createdBy: null })), ...saved.map(savedView)];
}

function savedView(row: repo.SavedQueryRow): StatusMessageQueryView {
  const parsed = queryCriteriaSchema.safeParse(row.criteria);
  const criteria = (parsed.success ? parsed.data : {}) as QueryCriteria;
  return {
    id: String(row.id),
    name: row.name,
    description: row.description,
    builtIn: false,
    criteria,
    prompts: promptsOf(criteria),
    createdBy: row.createdBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** A built-in or saved query by its id, or a 404. */
export async function findStatusMessageQueryOrThrow(id: string): Promise<StatusMessageQueryView> {
  if (id.startsWith('builtin:')) {
    const q = builtInQueries.find((b) => b.id === id);
    if (q) return { ...q, builtIn: true, prompts: promptsOf(q.criteria), createdBy: null };
  } else if (/^\d{1,9}$/.test(id)) {
    const row = await repo.findSavedQuery(Number(id));
    if (row) return savedView(row);
  }
  throw new AppError('NOT_FOUND', { userMessage: 'That status message query was not found.' });
}
