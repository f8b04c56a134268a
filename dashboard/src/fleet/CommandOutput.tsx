import type { CommandResult } from "@tidegate/protocol";
import { formatAge, formatValue } from "../format.js";
import { t } from "../i18n.js";
import { formatLogLine, statusFacts } from "./commands.js";

/** The answer of the latest command, as the panel shows it. */
export type CommandAnswer =
  | { verb: "status"; result: CommandResult<"status"> }
  | { verb: "config.get"; result: CommandResult<"config.get"> }
  | { verb: "config.history"; result: CommandResult<"config.history"> }
  | { verb: "logs.tail"; result: CommandResult<"logs.tail"> }
  | { verb: "write"; result: CommandResult<"write">; unit?: string | undefined }
  | { verb: "source.restart"; result: CommandResult<"source.restart"> };

/** One command's result, read-only: facts, a <pre> of text, or the config history table. */
export function CommandOutput({ answer, now }: { answer: CommandAnswer; now: number }) {
  switch (answer.verb) {
    case "status":
      return (
        <dl class="facts command-facts" data-testid="command-status">
          {statusFacts(answer.result).map((f) => (
            <div class="fact" key={f.label}>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      );
    case "config.get":
      return (
        <>
          <p class="small muted">{t.commands.configVersion(answer.result.version)}</p>
          <pre class="command-pre" data-testid="command-config">
            {JSON.stringify(answer.result.config, null, 2)}
          </pre>
        </>
      );
    case "logs.tail":
      return answer.result.lines.length === 0 ? (
        <p class="notice">{t.commands.logsEmpty}</p>
      ) : (
        <pre class="command-pre" data-testid="command-logs">
          {answer.result.lines.map(formatLogLine).join("\n")}
        </pre>
      );
    case "config.history":
      return answer.result.versions.length === 0 ? (
        <p class="notice">{t.commands.historyEmpty}</p>
      ) : (
        <table class="command-history" data-testid="command-history">
          <thead>
            <tr>
              <th>{t.commands.colVersion}</th>
              <th>{t.commands.colWhen}</th>
              <th>{t.commands.colWho}</th>
              <th>{t.commands.colOrigin}</th>
              <th>{t.commands.colOutcome}</th>
            </tr>
          </thead>
          <tbody>
            {answer.result.versions.map((v) => (
              <tr key={v.version} aria-current={v.version === answer.result.current ? "true" : undefined}>
                <td class="num">{v.version}</td>
                <td>{formatAge(v.at, now)}</td>
                <td>{v.actor ?? t.noValue}</td>
                <td>{v.origin}</td>
                <td title={v.reason}>{t.commands.outcome[v.status]}</td>
              </tr>
            ))}
          </tbody>
        </table>
      );
    case "write": {
      const r = answer.result;
      return (
        <p class="notice" data-testid="command-write" data-read-back={String(r.readBack)}>
          {t.commands.written(formatValue(r.written, answer.unit))},{" "}
          {t.commands.readBack(formatValue(r.readBack, answer.unit))}
          {!r.matches && <strong> {t.commands.mismatch}</strong>}
        </p>
      );
    }
    case "source.restart":
      return (
        <p class="notice" data-testid="command-restart">
          {t.commands.restarted(answer.result.restarted.join(", "))}
        </p>
      );
  }
}
