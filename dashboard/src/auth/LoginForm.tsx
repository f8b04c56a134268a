import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n.js";
import { type Me, signIn } from "./session.js";
import { fetchSsoOffer, type SsoOffer, takeSsoError } from "./sso.js";

/** The sign-in form shown instead of a view while nobody is signed in. */
export function LoginForm(props: { onSignedIn: (me: Me) => void; notice?: string }) {
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | undefined>(() => {
    const sso = takeSsoError();
    return sso ? t.auth.ssoFailed(sso) : props.notice;
  });
  const [busy, setBusy] = useState(false);
  const [sso, setSso] = useState<SsoOffer | null>(null);
  useEffect(() => {
    void fetchSsoOffer().then(setSso);
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      props.onSignedIn(await signIn(user.trim(), password));
    } catch (err) {
      setError((err as Error).message);
      setPassword("");
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="page login">
      <form class="login-form" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{t.auth.title}</h1>
        {sso && (
          <>
            {/* A plain link: the server answers with a redirect to the identity provider. */}
            <a class="sso-button" href={sso.start} data-testid="sso-sign-in">
              {t.auth.ssoSignIn(sso.name)}
            </a>
            <p class="login-or">{t.auth.ssoOrLocal}</p>
          </>
        )}
        <label>
          {t.auth.user}
          <input
            name="user"
            autoComplete="username"
            required
            value={user}
            onInput={(e) => setUser((e.target as HTMLInputElement).value)}
          />
        </label>
        <label>
          {t.auth.password}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword((e.target as HTMLInputElement).value)}
          />
        </label>
        {error && (
          <p class="login-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t.auth.signingIn : t.auth.signIn}
        </button>
        <p class="login-hint">{t.auth.hint}</p>
      </form>
    </main>
  );
}

/** Who is signed in, and the way out. */
export function UserBadge(props: { me: Me; onSignOut: () => void }) {
  return (
    <span class="user-badge">
      <span data-testid="signed-in-as">{t.auth.signedInAs(props.me.name, t.auth.roles[props.me.role])}</span>
      {props.me.via === "session" && (
        <button type="button" class="link-button" onClick={props.onSignOut}>
          {t.auth.signOut}
        </button>
      )}
    </span>
  );
}
