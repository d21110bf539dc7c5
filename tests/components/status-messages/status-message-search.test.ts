import { describe, expect, it } from 'vitest';
import { effectiveFilters } from '@/components/status-messages/status-message-search';
import type { StatusMessageQueryView } from '@/lib/status-viewer/status-query.schema';

const auditSince: StatusMessageQueryView = {
  id: 'builtin:audit-since',
  name: 'All Audit Status Messages Since a Specified Date',
  description: '',
  builtIn: true,
  criteria: { type: 'AUDIT', from: { prompt: 'Since' } },
  prompts: [{ field: 'from', label: 'Since' }],
  createdBy: null,
};
const since = 'query=builtin:audit-since&prompt.from=2026-11-23T00:00:00.000Z';

describe('effectiveFilters', () => {
  it('matches live messages against the query narrowed by the filters beside it, as the list API does', () => {
    expect(effectiveFilters(`${since}&severity=ERROR&from=2026-01-01T00:00:00.000Z`, [auditSince])).toEqual({
      type: 'AUDIT',
      severity: ['ERROR'],
      from: new Date('2026-11-23T00:00:00.000Z'),
    });
    // The list API refuses a filter that contradicts the query, so no live message joins it either.
    expect(effectiveFilters(`${since}&type=MILESTONE`, [auditSince])).toBeNull();
    expect(effectiveFilters('type=MILESTONE', [])).toEqual({ type: 'MILESTONE' });
  });
});
