// Labels and units of Resource Explorer's hardware tables.
import { describe, expect, it } from 'vitest';
import { formatMegabytes, formatPropertyValue, hardwareClassLabel, instanceValue, propertyLabel } from '@/lib/resource-explorer/hardware-labels';

describe('hardware labels', () => {
  it('names classes and properties readably', () => {
    expect(hardwareClassLabel('operatingSystem')).toBe('Operating system');
    expect(hardwareClassLabel('loggedOnUser')).toBe('Logged-on users');
    expect(hardwareClassLabel('gpuAdapter')).toBe('GPU adapter');
    expect(propertyLabel('serialNumber')).toBe('Serial number');
    expect(propertyLabel('macAddress')).toBe('MAC address');
    expect(propertyLabel('ipv4Address')).toBe('IPv4 address');
    expect(propertyLabel('sizeBytes')).toBe('Size');
    expect(propertyLabel('totalMb')).toBe('Total');
    expect(propertyLabel('speedMhz')).toBe('Speed');
    expect(propertyLabel('uuid')).toBe('UUID');
    expect(propertyLabel('bytes')).toBe('Bytes');
  });

  it('names a property or class that shares its name with an object built-in (constructor) like any other', () => {
    expect(propertyLabel('constructor')).toBe('Constructor');
    expect(propertyLabel('cpuConstructor')).toBe('CPU constructor');
    expect(propertyLabel('toString')).toBe('To string');
    expect(hardwareClassLabel('constructor')).toBe('Constructor');
    expect(hardwareClassLabel('toString')).toBe('To string');
    // A table column another instance has: this instance shows no value, not Object's function.
    expect(formatPropertyValue('constructor', instanceValue({ model: 'X1' }, 'constructor'))).toBe('—');
    expect(formatPropertyValue('toString', instanceValue({ toString: 'own' }, 'toString'))).toBe('own');
  });

  it('formats sizes in MB, GB and TB', () => {
    expect(formatMegabytes(512)).toBe('512 MB');
    expect(formatMegabytes(16_384)).toBe('16 GB');
    expect(formatMegabytes(15_974)).toBe('15.6 GB');
    expect(formatMegabytes(1_900_000)).toBe('1.8 TB');
    expect(formatMegabytes(null)).toBe('—');
    expect(formatPropertyValue('sizeBytes', 512_110_190_592)).toBe('476.9 GB');
    expect(formatPropertyValue('freeMb', 2048)).toBe('2 GB');
  });

  it('formats other values by their unit or as reported', () => {
    expect(formatPropertyValue('speedMhz', 2800)).toBe('2.8 GHz');
    expect(formatPropertyValue('speedMbps', 1000)).toBe('1 Gbit/s');
    expect(formatPropertyValue('usePercent', 41.25)).toBe('41.3 %');
    expect(formatPropertyValue('releaseYear', 2024)).toBe('2024');
    expect(formatPropertyValue('virtual', false)).toBe('No');
    expect(formatPropertyValue('vendor', null)).toBe('—');
    expect(formatPropertyValue('vendor', 'Intel')).toBe('Intel');
  });
});
