import { t } from "../i18n.js";

/**
 * The OPC UA browser's words for signing in (anonymous, user and password, a user certificate),
 * English and German. Only the commissioning chunk imports them, so the first load stays lean.
 */
export interface OpcuaAuthMessages {
  /** The label of the choice between anonymous, user and password, and a user certificate. */
  auth: string;
  authType: (type: "anonymous" | "username" | "certificate") => string;
  userCert: string;
  userCertHint: string;
  certPath: string;
  keyPath: string;
  uploadHint: string;
  certName: string;
  certFile: string;
  keyFile: string;
  upload: string;
  /** After an upload: the certificate the gateway now keeps. */
  stored: (subject: string, fingerprint: string) => string;
}

const en: OpcuaAuthMessages = {
  auth: "User login",
  authType: (a) =>
    a === "anonymous" ? "anonymous" : a === "username" ? "user and password" : "user certificate (X.509)",
  userCert: "User certificate",
  userCertHint:
    "The server signs in the user of this certificate; its administrator must trust the certificate for that user. Files named here must be in the gateway's config folder or its OPC UA PKI folder.",
  certPath: "Certificate file on the gateway (PEM)",
  keyPath: "Private key file on the gateway (PEM)",
  uploadHint:
    "Or upload both PEM files from this computer: the gateway checks that the key belongs to the certificate and keeps them where only the agent may read them.",
  certName: "Name to keep them under",
  certFile: "Certificate (PEM)",
  keyFile: "Private key (PEM)",
  upload: "Upload to the gateway",
  stored: (subject, fingerprint) =>
    `Kept on the gateway: ${subject}, SHA-1 ${fingerprint}. The paths above point to it.`,
};

const de: OpcuaAuthMessages = {
  auth: "Benutzeranmeldung",
  authType: (a) =>
    a === "anonymous" ? "anonym" : a === "username" ? "Benutzer und Passwort" : "Benutzerzertifikat (X.509)",
  userCert: "Benutzerzertifikat",
  userCertHint:
    "Der Server meldet den Benutzer dieses Zertifikats an; sein Administrator muss dem Zertifikat für diesen Benutzer vertrauen. Hier genannte Dateien müssen im Konfigurationsordner des Gateways oder in seinem OPC-UA-PKI-Ordner liegen.",
  certPath: "Zertifikatsdatei auf dem Gateway (PEM)",
  keyPath: "Datei des privaten Schlüssels auf dem Gateway (PEM)",
  uploadHint:
    "Oder beide PEM-Dateien von diesem Rechner hochladen: das Gateway prüft, dass der Schlüssel zum Zertifikat gehört, und legt sie ab, wo nur der Agent sie lesen darf.",
  certName: "Name, unter dem sie abgelegt werden",
  certFile: "Zertifikat (PEM)",
  keyFile: "Privater Schlüssel (PEM)",
  upload: "Auf das Gateway hochladen",
  stored: (subject, fingerprint) =>
    `Auf dem Gateway abgelegt: ${subject}, SHA-1 ${fingerprint}. Die Pfade oben zeigen darauf.`,
};

/** The words in the dashboard's current language. */
export const opcuaAuthT = (): OpcuaAuthMessages => (t.numberLocale === "de" ? de : en);
export const opcuaAuthMessages = { en, de };
