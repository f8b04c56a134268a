import { describe, expect, it } from "vitest";
import { describeLine, parseStty, sameLine } from "./line-settings.js";

const stty9600e = `speed 9600 baud; rows 0; columns 0; line = 0;
intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D; eol = <undef>;
-parenb -parodd -cmspar cs8 hupcl -cstopb cread clocal -crtscts`;

describe("parseStty", () => {
  it("reads speed, parity, data and stop bits", () => {
    expect(parseStty(stty9600e)).toEqual({ baudRate: 9600, parity: "none", dataBits: 8, stopBits: 1 });
    const even = stty9600e.replace("-parenb", "parenb").replace("speed 9600", "speed 19200");
    expect(parseStty(even)).toEqual({ baudRate: 19200, parity: "even", dataBits: 8, stopBits: 1 });
    const odd2 = stty9600e.replace("-parenb -parodd", "parenb parodd").replace("-cstopb", "cstopb");
    expect(parseStty(odd2)).toEqual({ baudRate: 9600, parity: "odd", dataBits: 8, stopBits: 2 });
  });

  it("refuses what is not stty output", () => {
    expect(parseStty("stty: /dev/pts/9: No such file or directory")).toBeUndefined();
  });

  it("names and compares settings", () => {
    const s = { baudRate: 9600, parity: "even", dataBits: 8, stopBits: 1 } as const;
    expect(describeLine(s)).toBe("9600 8E1");
    expect(sameLine(s, { ...s })).toBe(true);
    expect(sameLine(s, { ...s, parity: "none" })).toBe(false);
  });
});
