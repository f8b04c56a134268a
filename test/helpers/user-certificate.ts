import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

// node-opcua's PKI leaves OPENSSL_CONF behind in the process that used it (the string "undefined",
// or a file in a folder since deleted), which openssl then refuses to start without.
export function opensslEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (env.OPENSSL_CONF !== undefined && !existsSync(env.OPENSSL_CONF)) delete env.OPENSSL_CONF;
  return env;
}

export interface UserCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/**
 * An OPC UA user certificate as a plant CA would issue one (self-signed here; RSA, as the
 * Basic256Sha256 user token signature needs), made with openssl in `dir` as `<name>.pem` and `<name>.key`.
 */
export function makeUserCertificate(dir: string, name: string): UserCertificate {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-addext",
      "keyUsage=digitalSignature,nonRepudiation,keyEncipherment,dataEncipherment",
    ],
    { stdio: "ignore", env: opensslEnv() },
  );
  return { certFile, keyFile, cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8") };
}
