import { route } from '@/lib/http/route';
import { listQuarantinedItems } from '@/lib/quarantine/list-quarantined-items';
import { listQuarantineQuerySchema } from '@/lib/quarantine/quarantine.schema';

/** Items queue consumers set aside (poison items), most recently seen first, a page at a time. */
export const GET = route({ permission: 'readConsole', query: listQuarantineQuerySchema }, async ({ query }) => listQuarantinedItems(query));
