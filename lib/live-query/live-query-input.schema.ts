import { z } from 'zod';
import { requiredText } from '../validation/primitives';

/** A live query's text as the console sends it to be checked. */
export const liveQueryTextSchema = z.object({ query: requiredText(4000) });
