import { NextResponse } from 'next/server';
import { route } from '@/lib/http/route';
import { createStatusMessageQuery } from '@/lib/status-viewer/saved-queries';
import { listStatusMessageQueries } from '@/lib/status-viewer/status-queries';
import { savedQueryInputSchema } from '@/lib/status-viewer/status-query.schema';

/** Built-in and saved Status Message Queries, with the prompts each asks for. */
export const GET = route({ permission: 'readConsole' }, async () => ({ queries: await listStatusMessageQueries() }));

export const POST = route({ permission: 'editStatusMessageQueries', body: savedQueryInputSchema }, async ({ body, actor }) =>
  NextResponse.json(await createStatusMessageQuery({ actor, input: body }), { status: 201 }),
);
