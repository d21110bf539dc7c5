import { operationIdParamsSchema } from '@/lib/notification/client-operation.schema';
import { scriptResultsCsv } from '@/lib/notification/script-results';
import { route } from '@/lib/http/route';

/** Every device's state, exit code and output of a Run Script operation, as CSV. */
export const GET = route({ permission: 'readConsole', params: operationIdParamsSchema }, async ({ params }) => {
  const { filename, body } = await scriptResultsCsv(params.id);
  return new Response(body, {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${filename}"`, 'Cache-Control': 'no-store' },
  });
});
