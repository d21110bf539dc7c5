import { getAt, settingPaths } from './document-paths';
import { serialName } from './serial-name';
import type { SerialDocument } from './site-settings-view';
import { settingField } from './site-settings-fields';

/**
 * The site control document as a text file, like the site server's control file: a header with
 * the site and serial, then one `path = value` line per setting (values in JSON), grouped by
 * the property sheet they sit on.
 */
export function formatSiteControlText(doc: SerialDocument): string {
  const lines = [
    '# Sitebox site control file',
    `# Site: ${doc.siteCode} (${doc.settings.site.name})`,
    `# Serial: ${serialName(doc.serial)} (${doc.serial})`,
    `# Changed by: ${doc.changedBy} at ${doc.changedAt}`,
    '',
  ];
  let group = '';
  for (const path of settingPaths) {
    const field = settingField(path);
    const heading = field ? `${field.tab} / ${field.group}` : 'Other';
    if (heading !== group) {
      if (group) lines.push('');
      lines.push(`[${heading}]`);
      group = heading;
    }
    lines.push(`${path} = ${JSON.stringify(getAt(doc.settings, path) ?? null)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The download's file name: the serial in 8-digit hexadecimal, as history names it. */
export function siteControlFileName(doc: Pick<SerialDocument, 'siteCode' | 'serial'>): string {
  return `sitectrl-${doc.siteCode}-${serialName(doc.serial)}.txt`;
}
