import { liveQueryEntities } from './entities';
import type { LiveQuery } from './query-language';

/**
 * The columns a (validated) query's rows have, in order: the entity's, narrowed by each project,
 * replaced by a summarize with its keys and then its aggregates. Order and take keep them.
 */
export function queryColumns(query: LiveQuery): string[] {
  let columns = Object.keys(liveQueryEntities[query.entity.name.toLowerCase()].columns);
  for (const stage of query.stages) {
    if (stage.kind === 'project') columns = stage.columns.map((c) => c.name);
    else if (stage.kind === 'summarize') columns = [...stage.by.map((k) => k.name), ...stage.aggregates.map((a) => a.name)];
  }
  return columns;
}
