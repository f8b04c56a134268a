// Modbus RTU's CRC-16 (polynomial 0xA001 reflected, initial 0xFFFF), one table lookup per byte.
const TABLE = new Uint16Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  TABLE[n] = c;
}

/** The CRC of `buf[start, end)`; on the wire it goes low byte first. */
export function crc16(buf: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (TABLE[(crc ^ (buf[i] as number)) & 0xff] as number);
  return crc;
}
