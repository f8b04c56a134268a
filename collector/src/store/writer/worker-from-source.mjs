// The store writer thread when the collector runs from source (vitest, tsx): a thread has no
// TypeScript loader of its own on Node 20, so this registers tsx and then runs worker-main.ts.
// The built collector runs its own bundle (dist/store-writer-worker.js) instead.
import { register } from "tsx/esm/api";

register();
await import("./worker-main.ts");
