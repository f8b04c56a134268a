import { readFileSync } from "node:fs";

/**
 * The one rule for secret files (passwords, tokens, keys given as a path): the file's text with one
 * trailing newline (`\n` or `\r\n`) removed, which is what an editor or `echo` leaves. Nothing else
 * is trimmed, so a password that ends in a space or a PEM key keeps every other byte.
 */
export function secretFileText(text: string): string {
  return text.replace(/\r?\n$/, "");
}

/**
 * Reads a secret file by the rule above; `where` names the setting in errors ("--password-file",
 * "nats.password"), `fail` makes the caller's error type from the message.
 */
export function readSecretFile(path: string, where: string, fail: (message: string) => Error): string {
  try {
    return secretFileText(readFileSync(path, "utf8"));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw fail(`${where}: cannot read file ${path} (${code}); create it or fix the path`);
  }
}
