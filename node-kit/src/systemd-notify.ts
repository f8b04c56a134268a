import { spawn } from "node:child_process";

/**
 * Readiness, status and watchdog for systemd (`Type=notify`, `WatchdogSec=`). Node's dgram has no
 * unix datagram sockets, and the npm `sd-notify` module is a native build (a compiler on the Pi), so
 * messages go through `systemd-notify`. It is a separate process, so the units need
 * `NotifyAccess=all`; it waits until systemd has read the message (its barrier), so systemd can still
 * tell which service sent it.
 */
export interface SystemdNotifier {
  /** Whether a service manager listens (NOTIFY_SOCKET is set); otherwise every call does nothing. */
  readonly enabled: boolean;
  /** READY=1: the service is up; `status` is shown by `systemctl status`. */
  ready(status?: string): void;
  status(text: string): void;
  /** STOPPING=1, and no more watchdog pings. */
  stopping(): void;
}

/** Sends one notification: a list of VAR=value fields. */
export type NotifySend = (fields: string[]) => void;

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  pid?: number;
  send?: NotifySend;
  /** Asked on every watchdog ping; a changed answer goes along as STATUS=. */
  status?: () => string;
  /** A notification could not be sent (e.g. systemd-notify is missing); said once. */
  onError?: (message: string) => void;
}

/**
 * How often to ping the watchdog: half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises, or
 * undefined when systemd has no watchdog for this process (WATCHDOG_PID names another one).
 */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid: number): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return undefined;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

/** Runs `systemd-notify VAR=value...`; it inherits NOTIFY_SOCKET from the environment. */
export function spawnSystemdNotify(env: NodeJS.ProcessEnv, onError: (message: string) => void): NotifySend {
  let broken = false;
  return (fields) => {
    if (broken) return;
    const child = spawn("systemd-notify", fields, { env, stdio: "ignore" });
    child.unref(); // a pending notification never holds up an exit
    child.once("error", (err) => {
      broken = true;
      onError(
        `cannot notify systemd (${(err as NodeJS.ErrnoException).code ?? err.message}): install the systemd package, which provides systemd-notify`,
      );
    });
  };
}

export function createSystemdNotifier(options: NotifierOptions = {}): SystemdNotifier {
  const env = options.env ?? process.env;
  if (!env.NOTIFY_SOCKET) return { enabled: false, ready() {}, status() {}, stopping() {} };

  let reported = false;
  const onError = (message: string) => {
    if (!reported) options.onError?.(message);
    reported = true;
  };
  const send = options.send ?? spawnSystemdNotify(env, onError);
  let lastStatus: string | undefined;
  const withStatus = (fields: string[], status: string | undefined) => {
    if (status === undefined || status === lastStatus) return fields;
    lastStatus = status;
    return [...fields, `STATUS=${status}`];
  };

  // A timer, so pings stop when the event loop hangs and systemd restarts the process.
  const everyMs = watchdogIntervalMs(env, options.pid ?? process.pid);
  const watchdog =
    everyMs === undefined
      ? undefined
      : setInterval(() => send(withStatus(["WATCHDOG=1"], options.status?.())), everyMs);
  watchdog?.unref();

  return {
    enabled: true,
    ready(status) {
      send(withStatus(["READY=1"], status ?? options.status?.()));
    },
    status(text) {
      const fields = withStatus([], text);
      if (fields.length > 0) send(fields);
    },
    stopping() {
      clearInterval(watchdog);
      send(["STOPPING=1", "STATUS=stopping"]);
    },
  };
}
