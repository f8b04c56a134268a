/**
 * Why a serial port could not be opened, in words a technician can act on; undefined when the
 * error is none of the usual ones (the caller words it then). Shared by Modbus RTU buses and
 * line-printing devices, which fail to open in the same ways.
 */
export function describeSerialOpenError(err: unknown): string | undefined {
  const message = (err as Error)?.message ?? String(err);
  if (/No such file or directory|ENOENT/.test(message))
    return "serial device not found (adapter unplugged, or a wrong path: prefer /dev/serial/by-id/...)";
  if (/Permission denied|EACCES/.test(message))
    return "permission denied (add the tidegate user to the dialout group)";
  if (/Resource temporarily unavailable|Cannot lock port|EBUSY/i.test(message))
    return "serial device busy (another program has it open)";
  return undefined;
}
