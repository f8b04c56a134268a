import type { PushOutcome } from "@tidegate/protocol";
import { t } from "../i18n.js";

/**
 * The device push panel's words, English and German. They live here rather than in en.ts/de.ts
 * because only the panel's on-demand chunk imports them: every viewer's first load stays lean.
 */
export interface PushMessages {
  title: string;
  open: string;
  device: string;
  filter: string;
  targets: string;
  none: string;
  offline: string;
  send: string;
  working: string;
  pickTargets: string;
  profile: (id: string) => string;
  applied: (version: number, profileSaved: boolean) => string;
  outcome: Record<PushOutcome, string>;
  failed: (detail: string) => string;
}

const en: PushMessages = {
  title: "Push a device to other gateways",
  open: "Push a device…",
  device: "Device",
  filter: "Filter gateways",
  targets: "Target gateways",
  none: "No other gateway matches.",
  offline: "offline",
  send: "Push",
  working: "Waiting for every gateway…",
  pickTargets: "Pick at least one gateway.",
  profile: (id) => `Profile ${id} travels with it; a gateway that lacks it saves it.`,
  applied: (v, saved) => `applied as config version ${v}${saved ? ", profile saved" : ""}`,
  outcome: {
    applied: "applied",
    refused: "refused",
    "rolled-back": "rolled back",
    "not-reached": "not reached",
    "no-answer": "no answer",
  },
  failed: (detail) => `The push failed: ${detail}`,
};

const de: PushMessages = {
  title: "Gerät auf andere Gateways übertragen",
  open: "Gerät übertragen…",
  device: "Gerät",
  filter: "Gateways filtern",
  targets: "Ziel-Gateways",
  none: "Kein anderes Gateway passt.",
  offline: "offline",
  send: "Übertragen",
  working: "Warte auf alle Gateways…",
  pickTargets: "Mindestens ein Gateway wählen.",
  profile: (id) => `Profil ${id} wird mitgeschickt; ein Gateway ohne dieses Profil speichert es.`,
  applied: (v, saved) => `übernommen als Konfigurationsversion ${v}${saved ? ", Profil gespeichert" : ""}`,
  outcome: {
    applied: "übernommen",
    refused: "abgelehnt",
    "rolled-back": "zurückgerollt",
    "not-reached": "nicht erreicht",
    "no-answer": "keine Antwort",
  },
  failed: (detail) => `Die Übertragung ist fehlgeschlagen: ${detail}`,
};

/** The words in the dashboard's current language. */
export const pushT = (): PushMessages => (t.numberLocale === "de" ? de : en);
export const pushMessages = { en, de };
