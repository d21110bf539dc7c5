/** Server → console: `{}` once collections were evaluated; membership counts and members changed. */
export const COLLECTIONS_EVALUATED_EVENT = 'collections:evaluated';
