import { useEffect, useState } from "preact/hooks";
import { useSessionContext } from "../../auth/context.js";
import { opcuaAuthT } from "../../i18n/opcua-user-cert.js";
import { t } from "../../i18n.js";
import { Field, InputField } from "../Field.js";
import {
  type BrowseAnswer,
  commissionApi,
  type OpcuaDraft,
  type OpcuaTarget,
  type ServerCertificate,
} from "./commission-api.js";
import { NodeList, type Picked } from "./OpcuaTree.js";
import { type CertPaths, UserCertificateFields } from "./OpcuaUserCert.js";
import { localProfileOf, pickKey, pointOf } from "./opcua-points.js";
import { DeviceIdField, PreviewSaveButtons, PreviewSaveResult, usePreviewSave } from "./PreviewSave.js";

const MODES = ["None", "Sign", "SignAndEncrypt"] as const;
const POLICIES = ["Basic256Sha256", "Aes128_Sha256_RsaOaep", "Aes256_Sha256_RsaPss"] as const;
const AUTHS = ["anonymous", "username", "certificate"] as const;

/**
 * The OPC UA part of commissioning: browse a server's address space, trust its certificate
 * (admins), tick variables, and add them as a new device through the same preview and config
 * change as any other device.
 */
export function OpcuaPanel({ taken }: { taken: readonly string[] }) {
  const session = useSessionContext();
  const [endpoint, setEndpoint] = useState("opc.tcp://");
  const [mode, setMode] = useState<OpcuaTarget["securityMode"]>("None");
  const [policy, setPolicy] = useState<OpcuaTarget["securityPolicy"]>("Basic256Sha256");
  const [authType, setAuthType] = useState<(typeof AUTHS)[number]>("anonymous");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [certPaths, setCertPaths] = useState<CertPaths>({ cert: "", key: "" });
  const [target, setTarget] = useState<OpcuaTarget | undefined>();
  const [root, setRoot] = useState<BrowseAnswer | undefined>();
  const [busy, setBusy] = useState<"browse" | "trust" | "preview" | "save" | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [picked, setPicked] = useState<Map<string, Picked>>(new Map());

  const targetOf = (): OpcuaTarget => ({
    endpoint: endpoint.trim(),
    securityMode: mode,
    securityPolicy: policy,
    auth:
      authType === "username"
        ? { type: "username", username: user, password }
        : authType === "certificate"
          ? { type: "certificate", cert: certPaths.cert.trim(), key: { file: certPaths.key.trim() } }
          : { type: "anonymous" },
  });
  const run = async (what: NonNullable<typeof busy>, fn: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    try {
      await fn();
    } catch (err) {
      setError(t.commission.failed((err as Error).message));
    } finally {
      setBusy(undefined);
    }
  };
  const browseRoot = (to: OpcuaTarget) =>
    run("browse", async () => {
      setTarget(to);
      setPicked(new Map());
      setRoot(await commissionApi.browseOpcua(to));
    });
  const browse = async (node: string) => {
    const answer = target ? await commissionApi.browseOpcua(target, node) : undefined;
    if (!answer?.ok) throw new Error(answer?.error ?? "");
    return answer.nodes;
  };
  const onPick = (p: Picked, on: boolean) =>
    setPicked((old) => {
      const next = new Map(old);
      if (on) next.set(pickKey(p.node.nodeId, p.index), p);
      else next.delete(pickKey(p.node.nodeId, p.index));
      return next;
    });

  return (
    <section class="panel" data-testid="opcua-panel">
      <h2>{t.opcua.title}</h2>
      <p class="muted small">{t.opcua.hint}</p>
      <form
        class="probe-form"
        onSubmit={(e) => {
          e.preventDefault();
          void browseRoot(targetOf());
        }}
      >
        <InputField
          id="opcua-endpoint"
          label={t.opcua.endpoint}
          value={endpoint}
          onValue={setEndpoint}
          required
        />
        <Field id="opcua-mode" label={t.opcua.securityMode}>
          <select
            id="opcua-mode"
            data-testid="opcua-mode"
            value={mode}
            onChange={(e) => setMode(e.currentTarget.value as typeof mode)}
          >
            {MODES.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </Field>
        <Field id="opcua-policy" label={t.opcua.securityPolicy}>
          <select
            id="opcua-policy"
            data-testid="opcua-policy"
            value={policy}
            disabled={mode === "None"}
            onChange={(e) => setPolicy(e.currentTarget.value as typeof policy)}
          >
            {POLICIES.map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </Field>
        <Field id="opcua-auth" label={opcuaAuthT().auth}>
          <select
            id="opcua-auth"
            data-testid="opcua-auth"
            value={authType}
            onChange={(e) => setAuthType(e.currentTarget.value as typeof authType)}
          >
            {AUTHS.map((a) => (
              <option key={a} value={a}>
                {opcuaAuthT().authType(a)}
              </option>
            ))}
          </select>
        </Field>
        {authType === "username" && (
          <>
            <InputField id="opcua-user" label={t.opcua.username} value={user} onValue={setUser} required />
            <Field id="opcua-password" label={t.opcua.password}>
              <input
                id="opcua-password"
                data-testid="opcua-password"
                type="password"
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </Field>
          </>
        )}
        {authType === "certificate" && <UserCertificateFields value={certPaths} onValue={setCertPaths} />}
        <button type="submit" class="btn secondary" disabled={busy !== undefined} data-testid="opcua-browse">
          {busy === "browse" ? t.opcua.browsing : t.opcua.browse}
        </button>
      </form>
      {error && (
        <p class="form-error" role="alert" data-testid="opcua-error">
          {error}
        </p>
      )}
      {root && !root.ok && target && (
        <CertificateCard
          certificate={root.certificate}
          admin={session?.me.role === "admin"}
          busy={busy === "trust"}
          onTrust={() =>
            void run("trust", async () => {
              await commissionApi.trustOpcua(root.certificate.fingerprint);
              setRoot(await commissionApi.browseOpcua(target));
            })
          }
        />
      )}
      {root?.ok && target && (
        <div class="opcua-browser" data-testid="opcua-tree">
          <p>
            <strong>{t.opcua.objects}</strong>
          </p>
          <NodeList nodes={root.nodes} path={[]} browse={browse} picked={picked} onPick={onPick} />
          {picked.size > 0 && <AddOpcuaDevice target={target} picked={[...picked.values()]} taken={taken} />}
        </div>
      )}
      <CertificateList key={busy} admin={session?.me.role === "admin"} />
    </section>
  );
}

function CertificateCard(props: {
  certificate: ServerCertificate;
  admin: boolean;
  busy: boolean;
  onTrust: () => void;
}) {
  const c = props.certificate;
  return (
    <div class="notice" role="alert" data-testid="opcua-untrusted">
      <p>{t.opcua.untrusted}</p>
      <dl class="facts">
        <dt>{t.opcua.subject}</dt>
        <dd data-testid="opcua-cert-subject">{c.subject}</dd>
        <dt>{t.opcua.issuer}</dt>
        <dd>{c.issuer}</dd>
        <dt>{t.opcua.fingerprint}</dt>
        <dd class="mono" data-testid="opcua-cert-fingerprint">
          {c.fingerprint}
        </dd>
        <dt>{t.opcua.validity}</dt>
        <dd>{t.opcua.validRange(c.validFrom.slice(0, 10), c.validTo.slice(0, 10))}</dd>
      </dl>
      {props.admin ? (
        <button
          type="button"
          class="btn"
          disabled={props.busy}
          data-testid="opcua-trust"
          onClick={props.onTrust}
        >
          {t.opcua.trust}
        </button>
      ) : (
        <p class="muted small">{t.opcua.trustAdmin}</p>
      )}
    </div>
  );
}

/** The trust store: what was rejected (pending an admin) and what is trusted; an admin can take trust back. */
function CertificateList({ admin }: { admin: boolean }) {
  const [list, setList] = useState<Awaited<ReturnType<typeof commissionApi.opcuaCerts>>["certificates"]>([]);
  const [error, setError] = useState<string | undefined>();
  const load = () =>
    commissionApi
      .opcuaCerts()
      .then((a) => setList(a.certificates))
      .catch(() => setList([]));
  useEffect(() => {
    void load();
  }, []);
  const untrust = (fingerprint: string) => {
    setError(undefined);
    commissionApi
      .untrustOpcua(fingerprint)
      .then(load)
      .catch((err: Error) => setError(t.commission.failed(err.message)));
  };
  if (list.length === 0) return null;
  return (
    <div class="table-wrap" data-testid="opcua-certs">
      <h3>{t.opcua.certsTitle}</h3>
      <table>
        <tbody>
          {list.map((c) => (
            <tr key={c.fingerprint} data-testid="opcua-cert" data-status={c.status}>
              <th scope="row">{c.subject ?? "?"}</th>
              <td class="mono">{c.fingerprint}</td>
              <td>{t.opcua.certStatus(c.status)}</td>
              <td>
                {c.validTo ? t.opcua.validRange(c.validFrom?.slice(0, 10) ?? "", c.validTo.slice(0, 10)) : ""}
              </td>
              <td>
                {admin && c.status === "trusted" && (
                  <button
                    type="button"
                    class="btn secondary small"
                    data-testid="opcua-untrust"
                    onClick={() => untrust(c.fingerprint)}
                  >
                    {t.opcua.untrust}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

function AddOpcuaDevice(props: { target: OpcuaTarget; picked: Picked[]; taken: readonly string[] }) {
  const [id, setId] = useState(() => {
    let n = 1;
    while (props.taken.includes(`plc-${n}`)) n++;
    return `plc-${n}`;
  });
  const [sampling, setSampling] = useState("1000");
  const device = (): OpcuaDraft => {
    const ids: string[] = [];
    const nodes = props.picked.map((p) => {
      const point = pointOf(p.path, p.node, ids, p.index);
      ids.push(point.id);
      return point;
    });
    const ms = Number(sampling);
    return {
      id: id.trim(),
      profile: localProfileOf(id.trim()),
      pollIntervalMs: Math.max(100, ms),
      transport: { type: "opcua", ...props.target, samplingIntervalMs: ms },
      nodes,
    };
  };
  const state = usePreviewSave(device);
  return (
    <div data-testid="opcua-add">
      <h3>{t.commission.addTitle}</h3>
      <p class="muted small">{t.opcua.picked(props.picked.length)}</p>
      <form
        class="probe-form"
        onSubmit={(e) => {
          e.preventDefault();
          void state.act("preview");
        }}
      >
        <DeviceIdField id="opcua-id" value={id} onValue={setId} />
        <InputField
          id="opcua-sampling"
          label={t.opcua.sampling}
          value={sampling}
          onValue={setSampling}
          type="number"
          min={0}
          step={100}
        />
        <PreviewSaveButtons state={state} prefix="opcua" />
      </form>
      <PreviewSaveResult state={state} prefix="opcua" />
    </div>
  );
}
