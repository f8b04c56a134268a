import { catalogs, t } from "./i18n.js";
import { setPrefs, usePrefs } from "./prefs.js";

/** Dark-theme toggle and language select; both are remembered in this browser. */
export function PrefsControls() {
  const { theme, lang } = usePrefs();
  return (
    <div class="prefs">
      <button
        type="button"
        class="btn"
        data-testid="theme-toggle"
        aria-pressed={theme === "dark"}
        onClick={() => setPrefs({ theme: theme === "dark" ? "light" : "dark" })}
      >
        <span aria-hidden="true">◐ </span>
        {t.themeDark}
      </button>
      <label class="prefs-lang">
        <span class="sr-only">{t.languageLabel}</span>
        <select
          data-testid="lang-select"
          value={lang}
          onChange={(e) => setPrefs({ lang: e.currentTarget.value })}
        >
          {Object.entries(catalogs).map(([code, m]) => (
            <option key={code} value={code} lang={code}>
              {m.languageName}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
