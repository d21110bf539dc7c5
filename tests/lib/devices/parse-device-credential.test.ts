import { describe, expect, it } from 'vitest';
import { parseDeviceCredential } from '@/lib/devices/authenticate-device';

describe('parseDeviceCredential', () => {
  const secret = 'a'.repeat(43);
  it('reads "Device <id>.<secret>"', () => {
    expect(parseDeviceCredential(`Device 42.${secret}`)).toEqual({ id: 42, secret });
  });
  it('refuses anything else', () => {
    for (const header of [undefined, '', `Bearer 42.${secret}`, `Device x.${secret}`, 'Device 42.short', `Device 42.${secret}!`]) {
      expect(parseDeviceCredential(header)).toBeNull();
    }
  });
});
