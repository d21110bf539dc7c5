/**
 * A site control serial as history names it: 8 hexadecimal digits, capitals (serial 10 is
 * 0000000A), as the site server names its history files.
 */
export function serialName(serial: number): string {
  return serial.toString(16).toUpperCase().padStart(8, '0');
}

/** The serial an 8-digit hexadecimal name stands for, or null when it is not one. */
export function parseSerialName(name: string): number | null {
  return /^[0-9A-Fa-f]{8}$/.test(name) ? Number.parseInt(name, 16) : null;
}
