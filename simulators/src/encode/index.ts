export { bytesToWords, wordsToBytes } from "./bytes.js";
export { decodePointWords } from "./decode.js";
export { encodePointValue, intRange, type PointValue, quantize } from "./encode.js";
