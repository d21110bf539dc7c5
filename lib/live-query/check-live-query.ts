import { AppError } from '../errors';
import { readLiveQuery } from './validate-query';
import { liveQueryEntities } from './entities';

/**
 * Checks a live query's text for the console: the query and the columns its answer will have, or a
 * 400 naming the field (`query` unless told) with the line and column of the problem (and its offset and length
 * in the details, so the editor can mark it).
 */
export function checkLiveQuery(text: string, field = 'query') {
  const result = readLiveQuery(text);
  if (result.error) {
    const { message, offset, line, column, length } = result.error;
    throw new AppError('BAD_REQUEST', {
      userMessage: `${field}: line ${line}, column ${column}: ${message}`,
      details: { fields: [{ path: field, message: `line ${line}, column ${column}: ${message}` }], position: { offset, line, column, length } },
    });
  }
  return { query: result.query, entity: liveQueryEntities[result.query.entity.name.toLowerCase()].description };
}
