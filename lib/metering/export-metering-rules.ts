import { csvText } from '../csv-field';
import type { CsvDownload } from './metering-report-csv';
import { listMeteringRules } from './repo';

/** The columns an import reads, in its own header names. */
const HEADER = ['Product Name', 'File Name', 'Original File Name', 'Version', 'Site', 'Comment', 'Enabled'];

/**
 * The software metering rules (of a site, or matching a search) as a CSV file the import reads
 * back: to keep them, edit them in a spreadsheet, or carry them to another site.
 */
export async function exportMeteringRules(filter: { siteCode?: string; search?: string }): Promise<CsvDownload> {
  const rules = await listMeteringRules(filter);
  return {
    filename: `metering-rules${filter.siteCode ? `-${filter.siteCode}` : ''}.csv`,
    body: csvText(
      HEADER,
      rules.map((r) => [r.productName, r.fileName, r.originalFileName, r.version, r.siteCode, r.comment, r.enabled ? 'yes' : 'no']),
    ),
  };
}
