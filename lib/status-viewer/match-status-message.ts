import { statusMessageRanges, type StatusMessageFilters, type StatusMessageView } from './status-message-filters.schema';

/**
 * Whether a stored message passes the viewer's filters, exactly as the list query's WHERE
 * clause decides (lib/status-viewer/list-status-messages.ts), so live-tail messages can join a
 * filtered list in the browser. Pure.
 */
export function matchesStatusMessageFilters(message: StatusMessageView, filters: StatusMessageFilters, now = Date.now()): boolean {
  const received = Date.parse(message.receivedAt);
  if (filters.range && received < now - statusMessageRanges[filters.range]) return false;
  if (filters.from && received < filters.from.getTime()) return false;
  if (filters.to && received >= filters.to.getTime()) return false;
  if (filters.severity && !filters.severity.includes(message.severity as (typeof filters.severity)[number])) return false;
  if (filters.type && message.type !== filters.type) return false;
  if (filters.source && message.source !== filters.source) return false;
  if (filters.component !== undefined && message.component !== filters.component) return false;
  if (filters.system !== undefined && message.systemName !== filters.system) return false;
  if (filters.site !== undefined && message.siteCode !== filters.site) return false;
  if (filters.messageId !== undefined && message.messageId !== filters.messageId) return false;
  if (filters.propertyName !== undefined) {
    if (!Object.hasOwn(message.properties, filters.propertyName)) return false;
    if (filters.propertyValue !== undefined && message.properties[filters.propertyName] !== filters.propertyValue) return false;
  }
  return true;
}
