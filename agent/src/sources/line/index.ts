export { type LineContext, type LineResult, lineToReadings, type ParsedLine, parseLine } from "./parse.js";
export {
  type DropReason,
  describeReason,
  type LineDropReason,
  MAX_LINE_LENGTH,
  type PointReason,
} from "./reasons.js";
export {
  createSerialLineSource,
  type SerialLineDevice,
  type SerialLineSource,
  type SerialLineSourceOptions,
  type SerialLineStats,
} from "./source.js";
export {
  type SerialSettings,
  type SerialTransport,
  serialSettings,
  serialTransportSchema,
} from "./transport.js";
