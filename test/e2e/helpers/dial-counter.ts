import { createServer, type Socket } from "node:net";

export interface DialCounter {
  /** When each connection was accepted (ms since epoch), oldest first. */
  dials: number[];
  close(): Promise<void>;
}

/**
 * Stands in for a NATS server that is down but whose address still answers (a load balancer, a
 * restarting pod): accepts every connection and drops it at once, noting when, so a test can
 * count the dials a client makes during an outage.
 */
export function startDialCounter(port: number): Promise<DialCounter> {
  const dials: number[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    dials.push(Date.now());
    socket.on("error", () => {});
    socket.destroy();
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () =>
      resolve({
        dials,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      }),
    );
  });
}
