/**
 * Every string the operator can see. To add a language: copy `en`, translate it (the `Messages`
 * type makes the compiler list anything missing), and register it in `catalogs`.
 */
export interface Messages {
  /** BCP 47 tag used for number formatting. */
  numberLocale: string;
  appTitle: string;
  loading: string;
  unknownRole: (role: string) => string;
  unreachable: { agent: string; collector: string; any: string };
  errorDetail: (detail: string) => string;
  httpError: (status: number) => string;
  timeoutError: string;
  networkError: string;
  badResponse: string;

  // Values and ages
  noValue: string;
  boolTrue: string;
  boolFalse: string;
  never: string;
  justNow: string;
  secondsAgo: (n: number) => string;
  minutesAgo: (n: number) => string;
  hoursAgo: (n: number) => string;
  daysAgo: (n: number) => string;
  durationSeconds: (n: number) => string;
  durationMinutes: (n: number) => string;
  durationHours: (h: number, m: number) => string;
  durationDays: (d: number, h: number) => string;
  bytes: (n: string, unit: "B" | "KB" | "MB" | "GB") => string;

  // Error explanations (raw agent error in, operator words out)
  errTimeout: (ms: string) => string;
  errRefused: string;
  errUnreachable: string;
  errReset: string;
  errHostNotFound: string;
  errConnection: (code: string) => string;
  errException: (code: string, name: string) => string;

  // Agent view
  gateway: string;
  version: (v: string) => string;
  uptime: (d: string) => string;
  uplinkConnected: string;
  uplinkDisconnected: string;
  uplinkError: (e: string) => string;
  wireHeld: (e: string) => string;
  olderWire: (v: number) => string;
  olderWireHint: string;
  backlogOldest: (age: string) => string;
  uplinkPanel: string;
  backfilling: string;
  backfillingHint: string;
  factBacklog: string;
  readings: (n: string) => string;
  factOldest: string;
  factBytes: string;
  factRate: string;
  rate: (n: string) => string;
  factEta: string;
  etaUnderSecond: string;
  factDropped: string;
  droppedNone: string;
  /** Counts are shown as "12 dropped, buffer full". */
  dropReason: Record<"buffer-full" | "max-age" | "buffer-full-rejected", string>;
  dropUnknown: (reason: string) => string;
  dropCount: (n: string, what: string) => string;
  noDevices: string;
  deviceStatus: Record<"ok" | "degraded" | "failing" | "starting", string>;
  profile: (p: string) => string;
  latency: (ms: string) => string;
  successRate: (pct: string) => string;
  lastPoll: (age: string) => string;
  lastError: (e: string) => string;
  noReadings: string;
  colPoint: string;
  colValue: string;
  colQuality: string;
  colAge: string;
  quality: Record<"good" | "bad" | "uncertain", string>;

  // Fleet view
  fleetTitle: string;
  /** Follows the offline count, which is shown as a big number: "2 | of 5 gateways offline". */
  offlineOf: (total: number) => string;
  noGateways: string;
  colGateway: string;
  colStatus: string;
  colLastSeen: string;
  colVersion: string;
  colBacklog: string;
  colCompleteness: string;
  factUplink: string;
  connected: string;
  disconnected: string;
  complete: string;
  missing: (n: string) => string;
  droppedN: (n: string) => string;
  storedOf: (stored: string, max: string) => string;
  online: string;
  offline: string;
  pointLabel: string;
  noPoints: string;
  chartTitle: (gateway: string, device: string, point: string) => string;
  chartRange: string;
  alertsTitle: (n: number) => string;
  alertSince: (age: string) => string;
  severity: Record<"info" | "warning" | "critical", string>;
  rangeLabel: Record<"15m" | "1h" | "24h" | "7d" | "30d", string>;
  downloadCsv: string;
  chartEmpty: string;
}

export const en: Messages = {
  numberLocale: "en",
  appTitle: "Tidegate",
  loading: "Loading…",
  unknownRole: (role) => `This server reports an unknown role "${role}".`,
  unreachable: {
    agent: "Cannot reach the agent API — retrying",
    collector: "Cannot reach the collector API — retrying",
    any: "Cannot reach the API — retrying",
  },
  errorDetail: (detail) => `(${detail})`,
  httpError: (status) => `HTTP ${status}`,
  timeoutError: "request timed out",
  networkError: "network error",
  badResponse: "unexpected response",

  noValue: "—",
  boolTrue: "on",
  boolFalse: "off",
  never: "never",
  justNow: "just now",
  secondsAgo: (n) => `${n} s ago`,
  minutesAgo: (n) => `${n} min ago`,
  hoursAgo: (n) => `${n} h ago`,
  daysAgo: (n) => `${n} d ago`,
  durationSeconds: (n) => `${n} s`,
  durationMinutes: (n) => `${n} min`,
  durationHours: (h, m) => (m ? `${h} h ${m} min` : `${h} h`),
  durationDays: (d, h) => (h ? `${d} d ${h} h` : `${d} d`),
  bytes: (n, unit) => `${n} ${unit}`,

  errTimeout: (ms) =>
    `No answer within ${ms} ms — is the device powered, and are the address and cable right?`,
  errRefused: "Connection refused — nothing is listening at the device's address and port.",
  errUnreachable: "Device unreachable on the network — check cabling, switch and IP address.",
  errReset: "The device dropped the connection.",
  errHostNotFound: "Device host name not found — check the configured address.",
  errConnection: (code) => `Connection problem (${code}).`,
  errException: (code, name) => `The device rejected the request: ${name} (Modbus exception ${code}).`,

  gateway: "Gateway",
  version: (v) => `v${v}`,
  uptime: (d) => `up ${d}`,
  uplinkConnected: "Uplink connected",
  uplinkDisconnected: "Uplink disconnected",
  uplinkError: (e) => `Uplink: ${e}`,
  wireHeld: (e) => `Not sending: ${e}`,
  olderWire: (v) => `wire v${v}`,
  olderWireHint: "This agent sends an older batch format; it is read, but upgrade the agent",
  backlogOldest: (age) => `oldest unsent ${age}`,
  uplinkPanel: "Uplink & buffer",
  backfilling: "Backfilling",
  backfillingHint: "Sending the backlog, oldest first, while new readings go out live",
  factBacklog: "Backlog",
  readings: (n) => `${n} ${n === "1" ? "reading" : "readings"}`,
  factOldest: "Oldest unsent",
  factBytes: "Buffer on disk",
  factRate: "Drain rate",
  rate: (n) => `${n} readings/s`,
  factEta: "Time to drain",
  etaUnderSecond: "< 1 s",
  factDropped: "Dropped",
  droppedNone: "none",
  dropReason: {
    "buffer-full": "dropped, buffer full",
    "max-age": "dropped, too old",
    "buffer-full-rejected": "rejected, buffer full",
  },
  dropUnknown: (reason) => `dropped (${reason})`,
  dropCount: (n, what) => `${n} ${what}`,
  noDevices: "No devices configured.",
  deviceStatus: { ok: "OK", degraded: "Degraded", failing: "Failing", starting: "Starting" },
  profile: (p) => `Profile ${p}`,
  latency: (ms) => `Latency ${ms} ms`,
  successRate: (pct) => `${pct}% reads OK`,
  lastPoll: (age) => `polled ${age}`,
  lastError: (e) => `Last error: ${e}`,
  noReadings: "No readings yet.",
  colPoint: "Point",
  colValue: "Value",
  colQuality: "Quality",
  colAge: "Age",
  quality: { good: "good", bad: "bad", uncertain: "uncertain" },

  fleetTitle: "Fleet",
  offlineOf: (total) => `of ${total} ${total === 1 ? "gateway" : "gateways"} offline`,
  noGateways: "No gateways have reported yet.",
  colGateway: "Gateway",
  colStatus: "Status",
  colLastSeen: "Last seen",
  colVersion: "Version",
  colBacklog: "Backlog",
  colCompleteness: "Completeness",
  factUplink: "Uplink",
  connected: "connected",
  disconnected: "disconnected",
  complete: "complete",
  missing: (n) => `${n} missing`,
  droppedN: (n) => `${n} dropped`,
  storedOf: (stored, max) => `${stored} of ${max} stored`,
  online: "online",
  offline: "offline",
  pointLabel: "Point",
  noPoints: "This gateway has not sent any readings yet.",
  chartTitle: (gateway, device, point) => `${gateway} · ${device} / ${point}`,
  chartRange: "Time range",
  alertsTitle: (n) => (n === 1 ? "1 active alert" : `${n} active alerts`),
  alertSince: (age) => `raised ${age}`,
  severity: { info: "Info", warning: "Warning", critical: "Critical" },
  rangeLabel: { "15m": "15 min", "1h": "1 h", "24h": "24 h", "7d": "7 d", "30d": "30 d" },
  downloadCsv: "CSV",
  chartEmpty: "No data in the last 15 minutes.",
};

/** German, as used in plant control rooms; numbers use German separators via `numberLocale`. */
export const de: Messages = {
  numberLocale: "de",
  appTitle: "Tidegate",
  loading: "Wird geladen…",
  unknownRole: (role) => `Dieser Server meldet eine unbekannte Rolle „${role}“.`,
  unreachable: {
    agent: "Agent-API nicht erreichbar – neuer Versuch läuft",
    collector: "Collector-API nicht erreichbar – neuer Versuch läuft",
    any: "API nicht erreichbar – neuer Versuch läuft",
  },
  errorDetail: (detail) => `(${detail})`,
  httpError: (status) => `HTTP ${status}`,
  timeoutError: "Zeitüberschreitung der Anfrage",
  networkError: "Netzwerkfehler",
  badResponse: "unerwartete Antwort",

  noValue: "—",
  boolTrue: "ein",
  boolFalse: "aus",
  never: "nie",
  justNow: "gerade eben",
  secondsAgo: (n) => `vor ${n} s`,
  minutesAgo: (n) => `vor ${n} min`,
  hoursAgo: (n) => `vor ${n} h`,
  daysAgo: (n) => `vor ${n} d`,
  durationSeconds: (n) => `${n} s`,
  durationMinutes: (n) => `${n} min`,
  durationHours: (h, m) => (m ? `${h} h ${m} min` : `${h} h`),
  durationDays: (d, h) => (h ? `${d} d ${h} h` : `${d} d`),
  bytes: (n, unit) => `${n} ${unit}`,

  errTimeout: (ms) =>
    `Keine Antwort innerhalb von ${ms} ms – ist das Gerät eingeschaltet, und stimmen Adresse und Verkabelung?`,
  errRefused: "Verbindung abgelehnt – an Adresse und Port des Geräts ist kein Dienst aktiv.",
  errUnreachable: "Gerät im Netzwerk nicht erreichbar – Verkabelung, Switch und IP-Adresse prüfen.",
  errReset: "Das Gerät hat die Verbindung getrennt.",
  errHostNotFound: "Hostname des Geräts nicht gefunden – konfigurierte Adresse prüfen.",
  errConnection: (code) => `Verbindungsproblem (${code}).`,
  errException: (code, name) => `Das Gerät hat die Anfrage abgelehnt: ${name} (Modbus-Ausnahmecode ${code}).`,

  gateway: "Gateway",
  version: (v) => `v${v}`,
  uptime: (d) => `Betriebszeit ${d}`,
  uplinkConnected: "Uplink verbunden",
  uplinkDisconnected: "Uplink getrennt",
  uplinkError: (e) => `Uplink: ${e}`,
  wireHeld: (e) => `Versand angehalten: ${e}`,
  olderWire: (v) => `Format v${v}`,
  olderWireHint:
    "Dieser Agent sendet ein älteres Batch-Format; es wird noch gelesen, aber der Agent sollte aktualisiert werden",
  backlogOldest: (age) => `ältester ungesendeter Wert: ${age}`,
  uplinkPanel: "Uplink & Puffer",
  backfilling: "Nachsenden",
  backfillingHint:
    "Der Rückstau wird nachgesendet, älteste Werte zuerst, während neue Messwerte live übertragen werden",
  factBacklog: "Rückstau",
  readings: (n) => `${n} ${n === "1" ? "Messwert" : "Messwerte"}`,
  factOldest: "Ältester ungesendeter Wert",
  factBytes: "Puffer auf Datenträger",
  factRate: "Abbaurate",
  rate: (n) => `${n} Messwerte/s`,
  factEta: "Restzeit",
  etaUnderSecond: "< 1 s",
  factDropped: "Verworfen",
  droppedNone: "keine",
  dropReason: {
    "buffer-full": "verworfen, Puffer voll",
    "max-age": "verworfen, zu alt",
    "buffer-full-rejected": "abgelehnt, Puffer voll",
  },
  dropUnknown: (reason) => `verworfen (${reason})`,
  dropCount: (n, what) => `${n} ${what}`,
  noDevices: "Keine Geräte konfiguriert.",
  deviceStatus: { ok: "OK", degraded: "Eingeschränkt", failing: "Gestört", starting: "Startet" },
  profile: (p) => `Profil ${p}`,
  latency: (ms) => `Latenz ${ms} ms`,
  successRate: (pct) => `${pct}% Lesezugriffe OK`,
  lastPoll: (age) => `letzte Abfrage ${age}`,
  lastError: (e) => `Letzter Fehler: ${e}`,
  noReadings: "Noch keine Messwerte.",
  colPoint: "Datenpunkt",
  colValue: "Wert",
  colQuality: "Qualität",
  colAge: "Alter",
  quality: { good: "gut", bad: "schlecht", uncertain: "unsicher" },

  fleetTitle: "Flotte",
  offlineOf: (total) => `von ${total} ${total === 1 ? "Gateway" : "Gateways"} offline`,
  noGateways: "Bisher hat sich kein Gateway gemeldet.",
  colGateway: "Gateway",
  colStatus: "Status",
  colLastSeen: "Zuletzt gesehen",
  colVersion: "Version",
  colBacklog: "Rückstau",
  colCompleteness: "Vollständigkeit",
  factUplink: "Uplink",
  connected: "verbunden",
  disconnected: "getrennt",
  complete: "vollständig",
  missing: (n) => `${n} ${n === "1" ? "fehlt" : "fehlen"}`,
  droppedN: (n) => `${n} verworfen`,
  storedOf: (stored, max) => `${stored} von ${max} gespeichert`,
  online: "online",
  offline: "offline",
  pointLabel: "Datenpunkt",
  noPoints: "Dieses Gateway hat noch keine Messwerte gesendet.",
  chartTitle: (gateway, device, point) => `${gateway} · ${device} / ${point}`,
  chartRange: "Zeitraum",
  alertsTitle: (n) => (n === 1 ? "1 aktiver Alarm" : `${n} aktive Alarme`),
  alertSince: (age) => `ausgelöst ${age}`,
  severity: { info: "Info", warning: "Warnung", critical: "Kritisch" },
  rangeLabel: { "15m": "15 min", "1h": "1 h", "24h": "24 h", "7d": "7 d", "30d": "30 d" },
  downloadCsv: "CSV",
  chartEmpty: "Keine Daten in den letzten 15 Minuten.",
};

const catalogs: Record<string, Messages> = { en, de };

/** First catalog matching the browser's preferred languages (exact tag, then base language). */
export function pickLanguage(preferred: readonly string[]): string {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (catalogs[lower]) return lower;
    const base = lower.split("-")[0] ?? "";
    if (catalogs[base]) return base;
  }
  return "en";
}

/**
 * Browser only: Node 21+ also has a global `navigator`, whose languages follow the OS locale, and the
 * unit tests (which expect English) must not turn German on a German developer's machine.
 */
const inBrowser = typeof document !== "undefined" && typeof navigator !== "undefined";
export const lang = pickLanguage(inBrowser ? (navigator.languages ?? []) : []);
export const t: Messages = catalogs[lang] ?? en;
