import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { OpcuaUserCertificateAnswer } from "@tidegate/protocol";
import { z } from "zod";
import { writeFileAtomic } from "../../config/write-atomic.js";
import { checkUserCertificate, UserCertificateError } from "../../sources/opcua/user-cert.js";

/** What the page uploads: a name for the pair and the two PEM files' texts. */
export const userCertUploadSchema = z
  .object({
    name: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9_-]{0,62}$/i,
        "expected letters, digits, - or _ (up to 63), e.g. line2-operator",
      ),
    cert: z.string().min(1, "the certificate's PEM text").max(65_536),
    key: z.string().min(1, "the private key's PEM text").max(65_536),
  })
  .strict();
export type UserCertUpload = z.infer<typeof userCertUploadSchema>;

/** Where the pair is: absolute paths, as a device's `auth: { type: certificate, cert, key: { file } }` names them. */
export type StoredUserCert = OpcuaUserCertificateAnswer;

/** The two files of one named pair, side by side in secrets.d/ so they are found (and removed) together. */
export const userCertFilesOf = (secretsDir: string, name: string) => ({
  cert: join(secretsDir, `opcua-user-${name}.cert.pem`),
  key: join(secretsDir, `opcua-user-${name}.key.pem`),
});

const withNewline = (pem: string) => (pem.endsWith("\n") ? pem : `${pem}\n`);

/**
 * Checks an uploaded pair and keeps it in `secretsDir` (0700; both files 0600, the certificate too,
 * so the pair has one owner and mode). A name already taken by another pair is refused, so a
 * device that uses it never changes user under its feet; the same pair again is a no-op.
 */
export function storeUserCertificate(secretsDir: string, upload: UserCertUpload): StoredUserCert {
  const info = checkUserCertificate(upload.cert, upload.key);
  const files = userCertFilesOf(secretsDir, upload.name);
  const cert = withNewline(upload.cert);
  const key = withNewline(upload.key);
  if (existsSync(files.cert) || existsSync(files.key)) {
    const same =
      existsSync(files.cert) &&
      existsSync(files.key) &&
      readFileSync(files.cert, "utf8") === cert &&
      readFileSync(files.key, "utf8") === key;
    if (!same)
      throw new UserCertificateError(
        `name: a user certificate named ${upload.name} is already kept on the gateway; choose another name`,
      );
    return { name: upload.name, ...files, ...info };
  }
  mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(files.key, key, 0o600);
  writeFileAtomic(files.cert, cert, 0o600);
  return { name: upload.name, ...files, ...info };
}
