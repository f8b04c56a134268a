import type { CommandArgsInput, CommandVerb, PointEntry } from "@tidegate/protocol";
import { useState } from "preact/hooks";
import { mayAct, useSessionContext } from "../auth/context.js";
import { useNow } from "../clock.js";
import { t } from "../i18n.js";
import { LogsForm, RestartForm, WriteForm } from "./CommandForms.js";
import { type CommandAnswer, CommandOutput } from "./CommandOutput.js";
import { runCommand } from "./commands.js";

type ShownVerb = CommandAnswer["verb"];

/**
 * Remote management of one gateway through the collector. Reading (status, config, history, log)
 * is for every role, as the command route allows; writing and restarting for operators and admins.
 * Nothing is offered while the gateway is offline: the collector would refuse it unsent.
 */
export function CommandsPanel(props: { gateway: string; online: boolean; points: PointEntry[] | undefined }) {
  const now = useNow();
  const session = useSessionContext();
  const operator = mayAct(session?.me);
  const [busy, setBusy] = useState<CommandVerb | undefined>();
  const [answer, setAnswer] = useState<CommandAnswer | undefined>();
  const [error, setError] = useState<string | undefined>();
  const off = !props.online || busy !== undefined;

  async function run<V extends ShownVerb>(verb: V, args: CommandArgsInput<V>, extra: object = {}) {
    setBusy(verb);
    setError(undefined);
    setAnswer(undefined);
    try {
      const result = await runCommand(props.gateway, verb, args);
      setAnswer({ verb, result, ...extra } as CommandAnswer);
    } catch (err) {
      setError(t.commands.failed((err as Error).message));
    } finally {
      setBusy(undefined);
    }
  }
  const points = props.points ?? [];
  const button = (verb: "status" | "config.get" | "config.history", label: string) => (
    <button type="button" class="btn" disabled={off} onClick={() => void run(verb, {})}>
      {label}
    </button>
  );

  return (
    <section
      class="commands"
      aria-labelledby="commands-title"
      data-testid="commands-panel"
      aria-busy={busy !== undefined}
    >
      <h3 id="commands-title">{t.commands.title}</h3>
      {!props.online && (
        <p class="notice" data-testid="commands-offline">
          {t.commands.offline}
        </p>
      )}
      <div class="command-row">
        {button("status", t.commands.status)}
        {button("config.get", t.commands.configGet)}
        {button("config.history", t.commands.configHistory)}
        <LogsForm disabled={off} onTail={(lines) => void run("logs.tail", { lines })} />
      </div>
      {operator ? (
        <div class="command-row">
          <WriteForm
            points={points}
            disabled={off}
            onWrite={(device, point, value) =>
              void run(
                "write",
                { device, point, value },
                { unit: points.find((p) => p.device === device && p.point === point)?.unit },
              )
            }
          />
          <RestartForm
            points={points}
            disabled={off}
            onRestart={(device) => void run("source.restart", device ? { device } : {})}
          />
        </div>
      ) : (
        <p class="small muted">{t.commands.viewerNote}</p>
      )}
      <div class="command-output" aria-live="polite" data-testid="command-output">
        {busy && <p class="small muted">{t.commands.working}</p>}
        {error && (
          <p class="form-error" role="alert" data-testid="command-error">
            {error}
          </p>
        )}
        {answer && <CommandOutput answer={answer} now={now} />}
      </div>
    </section>
  );
}
