import {
  loadProfiles,
  modbusProfiles,
  type PointSpec,
  pointSchema,
  type RegisterTable,
  type RegisterType,
} from "@tidegate/profiles";
import { describe, expect, it } from "vitest";
import { deviceReadLimits, planReads, type ReadBlock, sliceWords, splitBlock } from "./coalesce.js";

function pt(id: string, table: RegisterTable, address: number, type: RegisterType, extra = {}): PointSpec {
  return pointSchema.parse({ id, name: id, register: { table, address, type, ...extra } });
}
const reg = (id: string, address: number, type: RegisterType = "uint16", extra = {}) =>
  pt(id, "holding", address, type, extra);
const coil = (id: string, address: number) => pt(id, "coil", address, "bool");

/** Blocks as plain tuples, so a whole plan is asserted in one readable line. */
function shape(blocks: ReadBlock[]) {
  return blocks.map((b) => [b.table, b.start, b.count, b.points.map((e) => `${e.point.id}@${e.offset}`)]);
}

describe("planReads", () => {
  it("merges contiguous points into one read", () => {
    const plan = planReads([reg("a", 0), reg("b", 1, "uint32"), reg("c", 3, "float64")]);
    expect(shape(plan)).toEqual([["holding", 0, 7, ["a@0", "b@1", "c@3"]]]);
  });

  it("reads across a gap of at most maxGap unused registers", () => {
    // a ends at 1; b at 11 leaves a gap of exactly 10.
    expect(shape(planReads([reg("a", 0), reg("b", 11)]))).toEqual([["holding", 0, 12, ["a@0", "b@11"]]]);
    expect(shape(planReads([reg("a", 0), reg("b", 4)], { maxGap: 3 }))).toEqual([
      ["holding", 0, 5, ["a@0", "b@4"]],
    ]);
  });

  it("starts a new read when the gap exceeds maxGap", () => {
    expect(shape(planReads([reg("a", 0), reg("b", 12)]))).toEqual([
      ["holding", 0, 1, ["a@0"]],
      ["holding", 12, 1, ["b@0"]],
    ]);
    expect(shape(planReads([reg("a", 0), reg("b", 5)], { maxGap: 3 }))).toHaveLength(2);
  });

  it("with maxGap 0 merges only adjacent points", () => {
    expect(shape(planReads([reg("a", 0), reg("b", 1), reg("c", 3)], { maxGap: 0 }))).toEqual([
      ["holding", 0, 2, ["a@0", "b@1"]],
      ["holding", 3, 1, ["c@0"]],
    ]);
  });

  it("fills a read up to exactly 125 registers and no further", () => {
    expect(shape(planReads([reg("a", 0), reg("b", 124)], { maxGap: 200 }))).toEqual([
      ["holding", 0, 125, ["a@0", "b@124"]],
    ]);
    expect(shape(planReads([reg("a", 0), reg("b", 125)], { maxGap: 200 }))).toEqual([
      ["holding", 0, 1, ["a@0"]],
      ["holding", 125, 1, ["b@0"]],
    ]);
    // A point that would straddle the limit moves whole into the next read.
    expect(shape(planReads([reg("a", 0, "float32"), reg("b", 124, "float32")], { maxGap: 200 }))).toEqual([
      ["holding", 0, 2, ["a@0"]],
      ["holding", 124, 2, ["b@0"]],
    ]);
  });

  it("splits a long contiguous run at the limit", () => {
    const run = Array.from({ length: 100 }, (_, i) => reg(`f${i}`, i * 2, "float32"));
    const plan = planReads(run);
    expect(plan.map((b) => [b.start, b.count, b.points.length])).toEqual([
      [0, 124, 62],
      [124, 76, 38],
    ]);
    expect(shape(planReads(run, { maxRegisters: 50 })).map(([, start, count]) => [start, count])).toEqual([
      [0, 50],
      [50, 50],
      [100, 50],
      [150, 50],
    ]);
  });

  it("never merges different tables, and orders blocks by table then start", () => {
    const points = [
      pt("d", "discrete", 0, "bool"),
      pt("i", "input", 1, "uint16"),
      coil("c", 0),
      reg("h2", 40),
      reg("h1", 0),
    ];
    expect(shape(planReads(points))).toEqual([
      ["holding", 0, 1, ["h1@0"]],
      ["holding", 40, 1, ["h2@0"]],
      ["input", 1, 1, ["i@0"]],
      ["coil", 0, 1, ["c@0"]],
      ["discrete", 0, 1, ["d@0"]],
    ]);
    expect(points.map((p) => p.id)).toEqual(["d", "i", "c", "h2", "h1"]); // input left unsorted
  });

  it("puts overlapping points in one read", () => {
    const points = [
      reg("status", 5),
      reg("alarm", 5, "bool", { bit: 0 }),
      reg("ready", 5, "bool", { bit: 7 }),
      reg("energy", 10, "uint32"),
      reg("energy_lo", 11),
    ];
    expect(shape(planReads(points, { maxGap: 0 }))).toEqual([
      ["holding", 5, 1, ["status@0", "alarm@0", "ready@0"]],
      ["holding", 10, 2, ["energy@0", "energy_lo@1"]],
    ]);
  });

  it("keeps a block as long as its longest point when a shorter one overlaps it", () => {
    const plan = planReads([reg("long", 0, "string", { length: 6 }), reg("inside", 2)], { maxGap: 0 });
    expect(shape(plan)).toEqual([["holding", 0, 6, ["long@0", "inside@2"]]]);
  });

  it("plans coil and discrete reads in bits, up to 2000", () => {
    expect(shape(planReads([coil("a", 0), coil("b", 1), coil("c", 2), coil("d", 50)]))).toEqual([
      ["coil", 0, 3, ["a@0", "b@1", "c@2"]],
      ["coil", 50, 1, ["d@0"]],
    ]);
    expect(shape(planReads([coil("a", 0), coil("b", 1999)], { maxGap: 5000 }))).toEqual([
      ["coil", 0, 2000, ["a@0", "b@1999"]],
    ]);
    expect(planReads([coil("a", 0), coil("b", 2000)], { maxGap: 5000 })).toHaveLength(2);
    // maxRegisters does not limit bits, and maxBits does not limit registers.
    expect(planReads([coil("a", 0), coil("b", 200)], { maxGap: 500, maxRegisters: 10 })).toHaveLength(1);
    expect(planReads([reg("a", 0), reg("b", 4)], { maxBits: 2 })).toHaveLength(1);
  });

  it("throws for a point larger than one read", () => {
    expect(() => planReads([reg("serial", 0, "string", { length: 10 })], { maxRegisters: 8 })).toThrow(
      "point 'serial' spans 10 registers, more than one read may carry (8)",
    );
  });

  it("throws for a point running past address 65535", () => {
    expect(() => planReads([reg("tail", 65535, "uint32")])).toThrow(
      /point 'tail' .* past the last address 65535/,
    );
    expect(shape(planReads([reg("last", 65534, "uint32")]))).toEqual([["holding", 65534, 2, ["last@0"]]]);
  });

  it("treats undefined options as defaults and rejects nonsense ones", () => {
    const points = [reg("a", 0), reg("b", 11)];
    expect(planReads(points, { maxGap: undefined, maxRegisters: undefined })).toEqual(planReads(points));
    expect(() => planReads(points, { maxGap: -1 })).toThrow(RangeError);
    expect(() => planReads(points, { maxRegisters: 0 })).toThrow(/maxRegisters must be an integer >= 1/);
    expect(() => planReads(points, { maxBits: 1.5 })).toThrow(RangeError);
  });

  it("returns no blocks for no points", () => {
    expect(planReads([])).toEqual([]);
  });
});

describe("the bundled eastron/sdm120 profile", () => {
  const sdm120 = modbusProfiles(loadProfiles()).find((p) => p.id === "eastron/sdm120");
  if (!sdm120) throw new Error("bundled profile eastron/sdm120 is missing");

  it("reads in ten blocks with the default maxGap of 10: holding (set-up, identity) before input", () => {
    expect(shape(planReads(sdm120.points))).toEqual([
      ["holding", 12, 18, ["relay_pulse_width@0", "network_parity_stop@6", "meter_id@8", "baud_rate@16"]],
      ["holding", 86, 2, ["pulse1_output_mode@0"]],
      ["holding", 63744, 1, ["scroll_time@0"]],
      ["holding", 63760, 1, ["pulse1_output@0"]],
      ["holding", 63776, 1, ["measurement_mode@0"]],
      ["holding", 64512, 4, ["serial_number@0", "meter_code@2", "software_version@3"]],
      [
        "input",
        0,
        38,
        [
          "voltage@0",
          "current@6",
          "active_power@12",
          "apparent_power@18",
          "reactive_power@24",
          "power_factor@30",
          "phase_angle@36",
        ],
      ],
      [
        "input",
        70,
        26,
        [
          "frequency@0",
          "import_energy@2",
          "export_energy@4",
          "import_reactive_energy@6",
          "export_reactive_energy@8",
          "total_power_demand@14",
          "max_total_power_demand@16",
          "import_power_demand@18",
          "max_import_power_demand@20",
          "export_power_demand@22",
          "max_export_power_demand@24",
        ],
      ],
      ["input", 258, 8, ["current_demand@0", "max_current_demand@6"]],
      ["input", 342, 4, ["total_energy@0", "total_reactive_energy@2"]],
    ]);
  });

  it("reads only what points cover with maxGap 0", () => {
    const inputs = sdm120.points.filter((p) => p.register.table === "input");
    expect(shape(planReads(inputs, { maxGap: 0 }))).toEqual([
      ["input", 0, 2, ["voltage@0"]],
      ["input", 6, 2, ["current@0"]],
      ["input", 12, 2, ["active_power@0"]],
      ["input", 18, 2, ["apparent_power@0"]],
      ["input", 24, 2, ["reactive_power@0"]],
      ["input", 30, 2, ["power_factor@0"]],
      ["input", 36, 2, ["phase_angle@0"]],
      [
        "input",
        70,
        10,
        [
          "frequency@0",
          "import_energy@2",
          "export_energy@4",
          "import_reactive_energy@6",
          "export_reactive_energy@8",
        ],
      ],
      [
        "input",
        84,
        12,
        [
          "total_power_demand@0",
          "max_total_power_demand@2",
          "import_power_demand@4",
          "max_import_power_demand@6",
          "export_power_demand@8",
          "max_export_power_demand@10",
        ],
      ],
      ["input", 258, 2, ["current_demand@0"]],
      ["input", 264, 2, ["max_current_demand@0"]],
      ["input", 342, 4, ["total_energy@0", "total_reactive_energy@2"]],
    ]);
  });
});

describe("splitBlock", () => {
  it("cuts a refused block into one read per address; points sharing a register stay together", () => {
    const sdm120 = modbusProfiles(loadProfiles()).find((p) => p.id === "eastron/sdm120");
    if (!sdm120) throw new Error("bundled profile eastron/sdm120 is missing");
    const first = planReads(sdm120.points).find((b) => b.table === "input");
    if (!first) throw new Error("no block");
    expect(shape(splitBlock(first))).toEqual([
      ["input", 0, 2, ["voltage@0"]],
      ["input", 6, 2, ["current@0"]],
      ["input", 12, 2, ["active_power@0"]],
      ["input", 18, 2, ["apparent_power@0"]],
      ["input", 24, 2, ["reactive_power@0"]],
      ["input", 30, 2, ["power_factor@0"]],
      ["input", 36, 2, ["phase_angle@0"]],
    ]);
  });
});

describe("sliceWords", () => {
  const [block] = planReads([reg("a", 0, "float32"), reg("b", 6, "uint16"), reg("c", 7, "uint32")]);
  if (!block) throw new Error("expected one block");
  const data = [10, 11, 12, 13, 14, 15, 16, 17, 18];

  it("returns each point's words from the block's result", () => {
    expect(block.points.map((e) => sliceWords(block, data, e))).toEqual([[10, 11], [16], [17, 18]]);
  });

  it("returns a short slice when the device answered short, for decodePoint to report", () => {
    const c = block.points[2];
    if (!c) throw new Error("expected point c");
    expect(sliceWords(block, data.slice(0, 8), c)).toEqual([17]);
  });

  it("refuses an entry from another block", () => {
    const [other] = planReads([reg("x", 0)]);
    const entry = other?.points[0];
    if (!entry) throw new Error("expected an entry");
    expect(() => sliceWords(block, data, entry)).toThrow(/point 'x' is not part of the holding block at 0/);
  });
});

describe("deviceReadLimits", () => {
  it("takes the profile's documented limits, a device's own maxGap first", () => {
    const profile = { defaults: { maxRegisters: 50, maxGap: 0 } };
    expect(deviceReadLimits(profile)).toEqual({ maxRegisters: 50, maxGap: 0 });
    expect(deviceReadLimits(profile, 4)).toEqual({ maxRegisters: 50, maxGap: 4 });
    expect(deviceReadLimits({ defaults: {} })).toEqual({ maxRegisters: undefined, maxGap: undefined });
    const points = [reg("a", 0), reg("b", 2), reg("c", 3)];
    expect(shape(planReads(points, deviceReadLimits(profile)))).toEqual([
      ["holding", 0, 1, ["a@0"]],
      ["holding", 2, 2, ["b@0", "c@1"]],
    ]);
  });
});
