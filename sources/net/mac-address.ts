/** MAC addresses as 48-bit numbers (exact in a double), so a lookup needs no string per packet. */

/** Parses `02:00:0a:00:00:05` or `02-00-0A-00-00-05`; returns the 48-bit value, or -1. */
export function parseMac(s: string): number {
  if (!/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/.test(s)) return -1;
  const sep = s[2];
  if (s[5] !== sep || s[8] !== sep || s[11] !== sep || s[14] !== sep) return -1;
  return parseInt(s.replace(/[:-]/g, ''), 16);
}

export function formatMac(n: number): string {
  return n.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');
}

/** Reads the 6-byte MAC at `off` as a number. */
export function readMac(b: Uint8Array, off: number): number {
  return ((b[off] << 8) | b[off + 1]) * 0x100000000 + (((b[off + 2] << 24) | (b[off + 3] << 16) | (b[off + 4] << 8) | b[off + 5]) >>> 0);
}
