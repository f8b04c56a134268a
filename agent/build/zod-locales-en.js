// What the agent bundle keeps of zod/v4/locales (tsup.config.ts).
export { default as en } from "zod/v4/locales/en.js";
