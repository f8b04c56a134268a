/**
 * Tick labels of the time axis in the page's language (uPlot's own are American: "9pm",
 * "11/23"). Times of day when ticks are less than a day apart, with the date under the first
 * tick and under each tick that starts a new day; dates alone for wider ticks.
 */
export function timeTicks(splitsS: readonly number[], incrS: number, locale: string): string[] {
  const time = new Intl.DateTimeFormat(locale, {
    hour: "2-digit",
    minute: "2-digit",
    ...(incrS < 60 ? { second: "2-digit" } : {}),
  });
  const date = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short" });
  if (incrS >= 86_400) return splitsS.map((s) => date.format(s * 1000));
  let lastDay = "";
  return splitsS.map((s) => {
    const d = new Date(s * 1000);
    const day = d.toDateString();
    const label = time.format(d);
    if (day === lastDay) return label;
    lastDay = day;
    return `${label}\n${date.format(d)}`;
  });
}
