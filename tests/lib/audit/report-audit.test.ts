import { describe, expect, it } from 'vitest';
import { auditMessage } from '@/lib/audit/report-audit';
import { statusMessageSchema } from '@/lib/protocol/status-message.schema';

describe('audit messages', () => {
  it('shortens a long old or new value at a character boundary, so an emoji at the cut never makes the message unstorable', () => {
    // Either parity of the text before the emoji puts the cut inside a surrogate pair once.
    for (const before of ['', 'a']) {
      const message = auditMessage({
        kind: 'modified',
        userName: 'admin',
        address: '192.0.2.1',
        objectType: 'Script',
        objectName: 'Smiles',
        oldValue: `${before}${'😀'.repeat(3000)}`,
        newValue: { body: `${before}${'😀'.repeat(3000)}` },
      });
      const parsed = statusMessageSchema.safeParse(message);
      expect(parsed.error?.issues).toBeUndefined();
      for (const value of [message.properties.OldValue, message.properties.NewValue]) {
        expect(value.endsWith('😀…')).toBe(true);
        expect(value.length).toBeLessThanOrEqual(4096);
      }
    }
  });
});
