import type { RolloutGatewayState, RolloutState } from "@tidegate/protocol";
import { de } from "./i18n/de.js";
import { en } from "./i18n/en.js";

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
  clockJump: (by: string) => string;
  clockJumpHint: (when: string) => string;
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
  /** The admin-only entry to users, tokens, the audit log and sessions. */
  adminNav: string;
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
  /** A series in a chart's legend and picker. */
  seriesLabel: (device: string, point: string) => string;
  alertsTitle: (n: number) => string;
  alertSince: (age: string) => string;
  severity: Record<"info" | "warning" | "critical", string>;
  rangeLabel: Record<"15m" | "1h" | "24h" | "7d" | "30d", string>;
  downloadCsv: string;
  downloadCsvHint: string;
  chartEmpty: string;

  // The fleet table's columns, sorting and filter
  table: {
    site: string;
    clock: string;
    alerts: string;
    filter: string;
    filterHint: string;
    onlyOffline: string;
    shownOf: (shown: number, total: number) => string;
    noMatch: string;
    offsetMs: (n: string) => string;
    clockSkewedHint: string;
    /** The status filter beside the text filter, and its choices. */
    statusFilter: string;
    statusAll: string;
    status: Record<"online" | "offline" | "alerting" | "backlogged", string>;
    /** The page controls: one page of rows at a time. */
    pages: string;
    prevPage: string;
    nextPage: string;
    /** "101–200 of 1,000": the rows shown, numbers already formatted. */
    pageInfo: (from: string, to: string, total: string) => string;
  };

  // The fleet summary above the table, from the collector's counts
  fleetSummary: {
    title: string;
    /** A status count is a button: it filters the table by that status (again: every status). */
    showStatus: (status: string) => string;
    bySite: string;
    site: string;
    gateways: string;
    /** Gateways the sites file puts in no site. */
    noSite: string;
  };

  // Trend charts in the local view, from the agent's own history
  trend: {
    show: string;
    hide: string;
    range: Record<"1h" | "24h", string>;
    title: (point: string) => string;
  };

  // The technician page: probe a device once, see the running config
  tech: {
    tab: string;
    overview: string;
    probeTitle: string;
    probeHint: string;
    device: string;
    otherAddress: string;
    host: string;
    port: string;
    unit: string;
    profile: string;
    run: string;
    running: string;
    order: string;
    profileLine: string;
    words: string;
    readFailed: (block: string, reason: string) => string;
    failed: (detail: string) => string;
    configTitle: string;
    configHint: string;
    notAllowed: string;
  };
  commission: {
    tab: string;
    where: string;
    scanTitle: string;
    scanHint: string;
    serial: string;
    tcp: string;
    serialPort: string;
    host: string;
    port: string;
    idsFrom: string;
    idsTo: string;
    pausePolling: string;
    start: string;
    cancel: string;
    progress: (
      settingsDone: number,
      settingsTotal: number,
      ids: number,
      idsTotal: number,
      found: number,
    ) => string;
    current: (setting: string) => string;
    timeLeft: (s: number) => string;
    paused: (target: string) => string;
    skipped: (settings: string) => string;
    state: (state: string) => string;
    nothingFound: string;
    found: (unitId: number, setting: string) => string;
    score: (score: number) => string;
    use: string;
    noneFits: string;
    noneFitsHint: string;
    addTitle: string;
    name: string;
    profile: string;
    interval: string;
    unitId: string;
    points: string;
    preview: string;
    previewing: string;
    previewHint: string;
    save: string;
    saving: string;
    saved: (id: string, version: number) => string;
    seeOverview: string;
    failed: (detail: string) => string;
    csvTitle: string;
    csvHint: string;
    csvExport: string;
    csvFile: string;
    csvCheck: string;
    csvImport: string;
    csvRow: string;
    csvColumn: string;
    csvProblem: string;
    csvChecked: (devices: string) => string;
    csvImported: (devices: string, version: number) => string;
    buildProfile: string;
    baudRate: string;
    parity: string;
    parityName: (parity: "none" | "even" | "odd") => string;
    stopBits: string;
  };
  /** N identical devices on one bus (the commissioning page). */
  template: {
    title: string;
    hint: string;
    base: string;
    transport: string;
    rtu: string;
    tcp: string;
    rtuOverTcp: string;
    hostPort: string;
    serial: string;
    unitIds: string;
    devices: (ids: readonly string[]) => string;
  };
  /** The profile builder of the commissioning page. */
  builder: {
    title: string;
    hint: string;
    id: string;
    vendor: string;
    model: string;
    manualTitle: string;
    manualUrl: string;
    address: string;
    pointName: string;
    type: string;
    order: string;
    scale: string;
    min: string;
    max: string;
    bit: string;
    unit: string;
    access: string;
    remove: string;
    addRow: string;
    read: string;
    words: string;
    decoded: string;
    otherOrders: string;
    display: string;
    displayOf: (point: string) => string;
    check: string;
    checked: string;
    save: string;
    saved: (profile: string, file: string) => string;
    download: string;
  };
  opcua: {
    title: string;
    hint: string;
    endpoint: string;
    securityMode: string;
    securityPolicy: string;
    username: string;
    password: string;
    browse: string;
    browsing: string;
    objects: string;
    empty: string;
    untrusted: string;
    subject: string;
    issuer: string;
    fingerprint: string;
    validity: string;
    validRange: (from: string, to: string) => string;
    trust: string;
    trustAdmin: string;
    certsTitle: string;
    certStatus: (status: string) => string;
    /** The button that moves a trusted server certificate back to the rejected ones. */
    untrust: string;
    /** Elements of an array variable the tree does not list. */
    moreElements: (n: number) => string;
    picked: (n: number) => string;
    sampling: string;
  };

  // Chart controls
  pointAdd: string;
  pointRemove: (label: string) => string;
  pointsFull: (max: number) => string;
  chartLabel: (names: string) => string;
  chartHelp: string;
  rangeCustom: string;
  rangeFrom: string;
  rangeTo: string;
  rangeApply: string;
  rangeInvalid: string;
  panEarlier: string;
  panLater: string;
  zoomReset: string;
  live: string;
  notLive: string;
  /** How the chart's samples were made: raw readings, or buckets of `step` with a min–max band. */
  stepRaw: string;
  stepBucket: (step: string) => string;
  legendTime: string;

  // Preferences
  languageName: string;
  languageLabel: string;
  themeDark: string;

  // Signing in, and acting on alerts
  auth: {
    title: string;
    user: string;
    password: string;
    signIn: string;
    signingIn: string;
    signOut: string;
    hint: string;
    wrongCredentials: string;
    tooManyAttempts: (seconds: number) => string;
    sessionEnded: string;
    signedInAs: (name: string, role: string) => string;
    roles: { viewer: string; operator: string; admin: string };
    /** Single sign-on: the identity provider's button, the local form below it, a failed attempt. */
    ssoSignIn: (provider: string) => string;
    ssoOrLocal: string;
    ssoFailed: (detail: string) => string;
  };
  alertAck: string;
  alertAckHint: (rule: string, device: string) => string;
  alertAcked: (age: string) => string;
  alertAckFailed: (detail: string) => string;
  /** Acknowledging from the fleet: the gateway answered, but nothing was raised to acknowledge. */
  alertAckNothing: string;

  // Remote commands on the fleet's gateway page
  commands: {
    title: string;
    offline: string;
    viewerNote: string;
    working: string;
    failed: (detail: string) => string;
    pushOpen: string;
    status: string;
    uptime: string;
    devices: string;
    activeAlerts: string;
    configGet: string;
    configVersion: (n: number) => string;
    configHistory: string;
    historyEmpty: string;
    colVersion: string;
    colWhen: string;
    colWho: string;
    colOrigin: string;
    colOutcome: string;
    outcome: Record<"pending" | "applied" | "rolled-back", string>;
    logsTail: string;
    logLines: string;
    logsEmpty: string;
    writeTitle: string;
    device: string;
    point: string;
    value: string;
    valueHint: string;
    badValue: string;
    write: string;
    written: (value: string) => string;
    readBack: (value: string) => string;
    mismatch: string;
    restart: string;
    restartAll: string;
    restarted: (devices: string) => string;
  };

  // Staged rollouts of agent releases on the fleet view
  rollouts: {
    title: string;
    intro: string;
    adminNote: string;
    release: string;
    noReleases: string;
    pickRelease: string;
    targetKind: string;
    kind: Record<"percent" | "site" | "gateways", string>;
    targetValue: string;
    canary: string;
    soak: string;
    start: string;
    badCanary: string;
    badSoak: string;
    badPercent: string;
    badSite: string;
    badGateways: string;
    failed: (detail: string) => string;
    none: string;
    heading: (version: string, gateways: number) => string;
    wave: (started: number, waves: number) => string;
    state: Record<RolloutState, string>;
    gatewayState: Record<RolloutGatewayState, string>;
    pause: string;
    resume: string;
    abort: string;
    colGateway: string;
    colWave: string;
    colState: string;
    colDetail: string;
    canaryWave: string;
  };
}

export { de, en };
export const catalogs: Record<string, Messages> = { en, de };

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
// Live bindings: a language switch re-renders the app, and every `t.x` read then gets the new text.
export let lang = pickLanguage(inBrowser ? (navigator.languages ?? []) : []);
export let t: Messages = catalogs[lang] ?? en;

/** Switches every message to `code`'s catalog; unknown codes are ignored. The caller re-renders. */
export function setLanguage(code: string): void {
  const next = catalogs[code];
  if (!next) return;
  lang = code;
  t = next;
}
