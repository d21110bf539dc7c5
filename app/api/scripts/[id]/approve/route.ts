import { z } from 'zod';
import { route } from '@/lib/http/route';
import { approveScriptText } from '@/lib/scripts/approve-script-text';
import { approveScriptSchema } from '@/lib/scripts/script.schema';
import { int4IdParam } from '@/lib/validation/primitives';

const params = z.object({ id: int4IdParam() });

/** Approves the text whose hash the approver names; never by one of its authors. */
export const POST = route({ permission: 'approveScripts', params, body: approveScriptSchema }, async ({ params, body, actor }) =>
  approveScriptText({ actor, id: params.id, contentHash: body.contentHash, baseUpdatedAt: body.baseUpdatedAt }),
);
