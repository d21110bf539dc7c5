import { describe, expect, it } from 'vitest';
import { auditMessageIds } from '@/lib/reporting/audit-message-ids';
import { catalog, renderDescription, statusMessageIds } from '@/lib/reporting/catalog';

describe('renderDescription', () => {
  it('substitutes insertion strings into the catalog template', () => {
    expect(renderDescription({ messageId: 10907, insertionStrings: ['S0100012', 'winword.exe'] })).toBe(
      'The Software Metering Agent received software metering rule S0100012 for winword.exe.',
    );
    expect(renderDescription({ messageId: statusMessageIds.programFailed, insertionStrings: ['S0120001', 'S0100003', 'Install', '1603'] })).toBe(
      'The program "Install" of package S0100003 for deployment S0120001 failed with exit code 1603.',
    );
  });

  it('substitutes once: an insertion string that looks like a placeholder stays as it is', () => {
    expect(renderDescription({ messageId: statusMessageIds.componentStarted, insertionStrings: ['%2', 'HOST'] })).toBe(
      'Component %2 started on HOST.',
    );
  });

  it('sets a value holding direction controls apart, so it cannot turn the sentence around it backwards', () => {
    // A right-to-left override in a file name ("exe.drow" shown as "word.exe", the rest reversed).
    expect(renderDescription({ messageId: 10907, insertionStrings: ['S0100012', 'evil\u202Eexe.drow'] })).toBe(
      'The Software Metering Agent received software metering rule S0100012 for \u2068evil\u202Eexe.drow\u2069.',
    );
    expect(renderDescription({ messageId: 99999, insertionStrings: ['\u202Eab', 'cd'] })).toBe(
      'Message ID 99999 is not in the catalog. Insertion strings: "\u2068\u202Eab\u2069", "cd".',
    );
  });

  it('leaves a placeholder without an insertion string visible', () => {
    expect(renderDescription({ messageId: statusMessageIds.componentStarted, insertionStrings: ['SMS_STATUS_MANAGER'] })).toBe(
      'Component SMS_STATUS_MANAGER started on %2.',
    );
  });

  it('renders an unknown message ID with its raw insertion strings', () => {
    expect(renderDescription({ messageId: 99999, insertionStrings: ['a', '<script>x</script>'] })).toBe(
      'Message ID 99999 is not in the catalog. Insertion strings: "a", "<script>x</script>".',
    );
    expect(renderDescription({ messageId: 99999, insertionStrings: [] })).toBe('Message ID 99999 is not in the catalog.');
    expect(renderDescription({ messageId: 99999, insertionStrings: null })).toBe('Message ID 99999 is not in the catalog.');
  });

  it('knows the provider audit messages with the IDs the audit module reports', () => {
    for (const id of Object.values(auditMessageIds)) expect(catalog.get(id)?.type).toBe('AUDIT');
    expect(
      renderDescription({ messageId: auditMessageIds.created, insertionStrings: ['admin', 'created', 'StatusFilterRule', 'Page on errors'] }),
    ).toBe('User admin created StatusFilterRule "Page on errors".');
  });

  it('has one entry per message ID, each with a template', () => {
    const ids = Object.values(statusMessageIds);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(catalog.get(id)?.template.length).toBeGreaterThan(0);
  });
});
