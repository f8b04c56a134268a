/**
 * The agent's most recent log lines, kept in memory for the remote `logs.tail` verb: a pino
 * destination beside stdout. Bounded by lines and bytes, so a chatty failure cannot grow memory.
 */
export function createLogRing(maxLines = 1000, maxBytes = 512 * 1024) {
  const lines: string[] = [];
  let bytes = 0;
  return {
    /** pino calls this with one JSON line per entry. */
    write(chunk: string) {
      const line = chunk.endsWith("\n") ? chunk.slice(0, -1) : chunk;
      lines.push(line);
      bytes += line.length;
      while (lines.length > maxLines || (bytes > maxBytes && lines.length > 1))
        bytes -= lines.shift()?.length ?? 0;
    },
    /** The last `n` lines, oldest first. */
    tail(n: number): string[] {
      return lines.slice(-n);
    },
  };
}
export type LogRing = ReturnType<typeof createLogRing>;
