/** A CSV file for the browser to save under `filename` (ASCII only: it goes into a header). */
export function csvDownload(download: { filename: string; body: BodyInit }): Response {
  return new Response(download.body, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${download.filename}"`,
      'Cache-Control': 'no-store',
    },
  });
}
