import { describe, expect, it } from "vitest";
import type { PreviewAnswer } from "./commission-api.js";
import { draftOf, emptyRow, readingsOf } from "./profile-draft.js";

const meta = {
  id: " acme/th-02 ",
  vendor: "Acme",
  model: "TH-02",
  title: "Map",
  url: "https://x.example/m.pdf",
};

describe("the profile builder's draft", () => {
  it("sends the filled rows with their filled cells only", () => {
    const rows = [
      {
        ...emptyRow(),
        address: "30002",
        name: "Temperature",
        type: "int16",
        scale: "0.1",
        unit: "°C",
        min: "-40",
      },
      { ...emptyRow(), address: "40010", name: "Relay", type: "bool", bit: "3" },
      emptyRow(),
    ];
    expect(draftOf(meta, rows, 4)).toEqual({
      profile: {
        id: "acme/th-02",
        vendor: "Acme",
        model: "TH-02",
        title: "Map",
        url: "https://x.example/m.pdf",
        unitId: 4,
      },
      table: [
        {
          address: "30002",
          name: "Temperature",
          type: "int16",
          order: "ABCD",
          scale: "0.1",
          unit: "°C",
          access: "read",
          min: "-40",
        },
        { address: "40010", name: "Relay", type: "bool", order: "ABCD", access: "read", bit: "3" },
      ],
    });
  });

  it("pairs each value typed from the display with the registers read for that point", () => {
    const answer = {
      cycles: [
        {
          at: "t",
          failures: [],
          points: [
            { id: "temperature", name: "Temperature", value: "21.5", words: "00d7" },
            { id: "power", name: "Power", value: "14.4", words: "6666 4166" },
            { id: "humidity", name: "Humidity", value: "48.5", words: "01e5" },
          ],
        },
      ],
    } as unknown as PreviewAnswer;
    expect(readingsOf(answer, { temperature: " 21.5 ", power: "14.4", humidity: "" })).toEqual([
      { point: "temperature", raw: [0xd7], display: "21.5" },
      { point: "power", raw: [0x6666, 0x4166], display: "14.4" },
    ]);
  });
});
