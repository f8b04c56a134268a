export { ModbusException, SERVED_LIMIT, SimulatedDevice } from "./device.js";
export { decodePointWords, encodePointValue, type PointValue, quantize } from "./encode/index.js";
export {
  createGenerator,
  defaultSimulation,
  type GeneratorOptions,
  type Random,
  seededRandom,
  type ValueGenerator,
} from "./generators.js";
export { describeLine, type LineSettings, parseStty, readLineSettings } from "./line/line-settings.js";
export { parseTermiosCall, type TermiosWatch, watchTermios } from "./line/termios-watch.js";
export {
  type ModbusRtuSimulator,
  type ModbusRtuSimulatorOptions,
  type RtuSlave,
  type RtuSlaveOptions,
  startModbusRtuSimulator,
} from "./modbus-rtu.js";
export {
  type ModbusTcpSimulator,
  type ModbusTcpSimulatorOptions,
  startModbusTcpSimulator,
} from "./modbus-tcp.js";
export { type MqttPublisher, type MqttPublisherOptions, startMqttPublisher } from "./mqtt.js";
export type { OpcuaSimulator, OpcuaSimulatorOptions } from "./opcua.js";

/** Loads node-opcua only when called: importing the simulators for Modbus should not take seconds. */
export async function startOpcuaSimulator(
  options: import("./opcua.js").OpcuaSimulatorOptions,
): Promise<import("./opcua.js").OpcuaSimulator> {
  return (await import("./opcua.js")).startOpcuaSimulator(options);
}
export { type PtyPair, startPtyPair } from "./pty/pty-pair.js";
export { type SerialLineSimulator, startSerialLineSimulator } from "./serial-line.js";
export {
  type SparkplugEdgeNode,
  type SparkplugEdgeNodeOptions,
  startSparkplugEdgeNode,
} from "./sparkplug/edge-node.js";
