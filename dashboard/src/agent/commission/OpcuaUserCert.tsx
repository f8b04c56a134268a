import type { OpcuaUserCertificateAnswer } from "@tidegate/protocol";
import { useState } from "preact/hooks";
import { opcuaAuthT } from "../../i18n/opcua-user-cert.js";
import { t } from "../../i18n.js";
import { Field, InputField } from "../Field.js";
import { commissionApi } from "./commission-api.js";

/** Where the user certificate and its key are on the gateway. */
export interface CertPaths {
  cert: string;
  key: string;
}

/**
 * Certificate login for the OPC UA browser: the paths of a certificate and key already on the
 * gateway, or the two PEM files uploaded from this computer (the gateway checks them and keeps
 * them in secrets.d/, then the paths point there). The key's text is sent once and never shown.
 */
export function UserCertificateFields(props: { value: CertPaths; onValue: (v: CertPaths) => void }) {
  const w = opcuaAuthT();
  const [name, setName] = useState("");
  const [cert, setCert] = useState<string | undefined>();
  const [key, setKey] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [stored, setStored] = useState<OpcuaUserCertificateAnswer | undefined>();
  const upload = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const answer = await commissionApi.uploadUserCert({
        name: name.trim(),
        cert: cert ?? "",
        key: key ?? "",
      });
      setStored(answer);
      props.onValue({ cert: answer.cert, key: answer.key });
    } catch (err) {
      setError(t.commission.failed((err as Error).message));
    } finally {
      setBusy(false);
    }
  };
  return (
    <fieldset class="opcua-user-cert" data-testid="opcua-user-cert">
      <legend>{w.userCert}</legend>
      <p class="muted small">{w.userCertHint}</p>
      <InputField
        id="opcua-cert-path"
        label={w.certPath}
        value={props.value.cert}
        onValue={(cert) => props.onValue({ ...props.value, cert })}
        required
      />
      <InputField
        id="opcua-key-path"
        label={w.keyPath}
        value={props.value.key}
        onValue={(key) => props.onValue({ ...props.value, key })}
        required
      />
      <p class="muted small">{w.uploadHint}</p>
      <InputField id="opcua-cert-name" label={w.certName} value={name} onValue={setName} />
      <PemFileField id="opcua-cert-file" label={w.certFile} accept=".pem,.crt,.cer" onText={setCert} />
      <PemFileField id="opcua-key-file" label={w.keyFile} accept=".pem,.key" onText={setKey} />
      <button
        type="button"
        class="btn secondary"
        data-testid="opcua-cert-upload"
        disabled={busy || !name.trim() || cert === undefined || key === undefined}
        onClick={() => void upload()}
      >
        {w.upload}
      </button>
      {error && (
        <p class="form-error" role="alert" data-testid="opcua-cert-error">
          {error}
        </p>
      )}
      {stored && !error && (
        <p class="muted small" data-testid="opcua-cert-stored">
          {w.stored(stored.subject, stored.fingerprint)}
        </p>
      )}
    </fieldset>
  );
}

/** A PEM file picked on this computer, handed on as its text (undefined when none is picked). */
function PemFileField(props: { id: string; label: string; accept: string; onText: (text?: string) => void }) {
  return (
    <Field id={props.id} label={props.label}>
      <input
        id={props.id}
        data-testid={props.id}
        type="file"
        accept={props.accept}
        onChange={async (e) => {
          const file = e.currentTarget.files?.[0];
          props.onText(file ? await file.text() : undefined);
        }}
      />
    </Field>
  );
}
