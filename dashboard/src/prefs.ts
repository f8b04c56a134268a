import { useEffect, useState } from "preact/hooks";
import { catalogs, pickLanguage, setLanguage } from "./i18n.js";

/**
 * The viewer's display choices (theme, language), kept in localStorage so they survive a reload.
 * Until a choice is made, the OS colour scheme and the browser's languages decide.
 */
export type Theme = "light" | "dark";
export interface Prefs {
  theme: Theme;
  lang: string;
}

const THEME_KEY = "tidegate.theme";
const LANG_KEY = "tidegate.lang";

/** A stored theme wins; else dark only when the OS asks for it: light has the most contrast in daylight. */
export function pickTheme(stored: string | null | undefined, prefersDark: boolean): Theme {
  if (stored === "light" || stored === "dark") return stored;
  return prefersDark ? "dark" : "light";
}

/** A stored language wins if there is a catalog for it; else the browser's preferred languages. */
export function pickStartLanguage(stored: string | null | undefined, preferred: readonly string[]): string {
  return stored && catalogs[stored] ? stored : pickLanguage(preferred);
}

// Private browsing or a locked-down kiosk may refuse storage: the choice then lasts for the page.
function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}
function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not persisted; still applied
  }
}

let current: Prefs = { theme: "light", lang: "en" };
const listeners = new Set<(p: Prefs) => void>();

function apply(p: Prefs): void {
  current = p;
  setLanguage(p.lang);
  const root = document.documentElement;
  root.dataset.theme = p.theme;
  root.lang = p.lang;
  for (const l of listeners) l(p);
}

/** Reads the stored choices and applies them to the page; call once before the first render. */
export function initPrefs(): Prefs {
  const dark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  apply({
    theme: pickTheme(read(THEME_KEY), dark),
    lang: pickStartLanguage(read(LANG_KEY), navigator.languages ?? []),
  });
  return current;
}

/** Applies and remembers a change. */
export function setPrefs(change: Partial<Prefs>): void {
  if (change.theme) write(THEME_KEY, change.theme);
  if (change.lang && catalogs[change.lang]) write(LANG_KEY, change.lang);
  apply({ ...current, ...change, lang: change.lang && catalogs[change.lang] ? change.lang : current.lang });
}

/** The current choices; the component re-renders when they change. */
export function usePrefs(): Prefs {
  const [prefs, setState] = useState(current);
  useEffect(() => {
    listeners.add(setState);
    setState(current);
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return prefs;
}
