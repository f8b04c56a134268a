import { describe, expect, it } from "vitest";
import { keepParity, parseTermiosCall } from "./termios-watch.js";

describe("parseTermiosCall", () => {
  it("reads a tcsetattr as strace prints it", () => {
    const line =
      "ioctl(22, SNDCTL_TMR_START or TCSETS, {c_iflag=, c_oflag=NL0, c_cflag=B9600|CS8|CREAD|PARENB|CLOCAL, c_lflag=0, c_line=N_TTY}) = 0";
    expect(parseTermiosCall(line)).toEqual({
      fd: 22,
      path: "",
      settings: { baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 },
    });
    const odd2 = line.replace("PARENB", "PARENB|PARODD|CSTOPB").replace("B9600", "B19200");
    expect(parseTermiosCall(odd2)?.settings).toEqual({
      baudRate: 19200,
      parity: "odd",
      dataBits: 8,
      stopBits: 2,
    });
  });

  it("reads the device path strace -y prints beside the fd", () => {
    const line = "ioctl(17</dev/pts/5>, TCSETS, {c_iflag=IGNPAR, c_cflag=B19200|CS8|CREAD, c_lflag=0}) = 0";
    expect(parseTermiosCall(line)).toMatchObject({
      fd: 17,
      path: "/dev/pts/5",
      settings: { baudRate: 19200 },
    });
  });

  it("takes termios2's speed and ignores other ioctls", () => {
    const t2 =
      "ioctl(5, TCSETS2, {c_iflag=, c_cflag=BOTHER|CS8|CREAD, c_ispeed=250000, c_ospeed=250000}) = 0";
    expect(parseTermiosCall(t2)?.settings.baudRate).toBe(250000);
    expect(parseTermiosCall("ioctl(5, TCGETS, {c_iflag=, c_cflag=B9600|CS8}) = 0")).toBeUndefined();
  });
});

describe("keepParity", () => {
  const even = { baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 } as const;
  it("keeps the parity a PTY's read-back lost, also when that call sets the speed", () => {
    expect(keepParity(even, { ...even, parity: "none" })).toEqual(even);
    expect(keepParity({ ...even, baudRate: 38400 }, { ...even, parity: "none" })).toEqual(even);
  });
  it("starts afresh after an open, and takes a change of parity as it is", () => {
    expect(keepParity(undefined, { ...even, parity: "none" }).parity).toBe("none");
    expect(keepParity({ ...even, parity: "none" }, even)).toEqual(even);
    expect(keepParity(even, { ...even, parity: "odd" }).parity).toBe("odd");
  });
});
