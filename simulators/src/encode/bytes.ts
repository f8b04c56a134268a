import type { WordOrder } from "@tidegate/profiles";

/**
 * Rearranges big-endian bytes into the order a device keeps them in, as 16-bit register words.
 * Every one of the four orders is its own inverse, so the same function turns device words back
 * into big-endian bytes (see `wordsToBytes`).
 *
 * Generalised to any even byte count: CDAB reverses the 16-bit words, BADC swaps the two bytes of
 * each word, DCBA reverses every byte. A single word therefore has only two layouts: ABCD = CDAB
 * and BADC = DCBA.
 */
export function bytesToWords(bigEndian: Uint8Array, order: WordOrder): number[] {
  const n = bigEndian.length;
  if (n % 2 !== 0) throw new RangeError(`byte count must be even, got ${n}`);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = bigEndian[sourceIndex(i, n, order)] ?? 0;
  const words: number[] = [];
  for (let i = 0; i < n; i += 2) words.push(((out[i] ?? 0) << 8) | (out[i + 1] ?? 0));
  return words;
}

/** The inverse of `bytesToWords`: register words as read from the device, back to big-endian bytes. */
export function wordsToBytes(words: readonly number[], order: WordOrder): Uint8Array {
  const laid = new Uint8Array(words.length * 2);
  words.forEach((w, i) => {
    laid[2 * i] = (w >> 8) & 0xff;
    laid[2 * i + 1] = w & 0xff;
  });
  const out = new Uint8Array(laid.length);
  for (let i = 0; i < laid.length; i++) out[i] = laid[sourceIndex(i, laid.length, order)] ?? 0;
  return out;
}

/** Which big-endian byte lands at position i of the device layout. */
function sourceIndex(i: number, n: number, order: WordOrder): number {
  switch (order) {
    case "ABCD":
      return i;
    case "DCBA":
      return n - 1 - i;
    case "BADC":
      return i ^ 1;
    case "CDAB": {
      const word = i >> 1;
      return (n / 2 - 1 - word) * 2 + (i & 1);
    }
  }
}
