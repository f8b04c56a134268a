export { createAgent } from "./agent.js";
export { ConfigError, loadConfigFile, parseConfig } from "./config/load.js";
export { type AgentConfig, configSchema } from "./config/schema.js";
export { type ServeAgentOptions, serveAgent } from "./serve.js";
