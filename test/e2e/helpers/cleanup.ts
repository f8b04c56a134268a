import { afterEach } from "vitest";

/**
 * Registers an afterEach that undoes, newest first, what a test started; returns `defer` to add
 * to it. Call once at the top of a test file.
 */
export function deferredCleanup(): (fn: () => Promise<unknown> | unknown) => void {
  let pending: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    const fns = pending.reverse();
    pending = [];
    for (const fn of fns) await fn();
  });
  return (fn) => void pending.push(fn);
}
