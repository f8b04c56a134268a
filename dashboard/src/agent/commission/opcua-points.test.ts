import { describe, expect, it } from "vitest";
import {
  arrayElements,
  type BrowsedNode,
  localProfileOf,
  pickKey,
  pointIdOf,
  pointOf,
  shownValue,
} from "./opcua-points.js";

const M = "urn:tidegate:machine";
const variable = (o: Partial<BrowsedNode>): BrowsedNode => ({
  nodeId: "ns=2;i=1017",
  browseName: "Temperature",
  displayName: "Temperature",
  nodeClass: "Variable",
  dataType: "Double",
  namespaceUri: M,
  browseNamespaceUri: M,
  ...o,
});

describe("pointOf", () => {
  it("names a variable by its browse path in one namespace, so a renumbered NodeId does not matter", () => {
    const path = [
      { name: "Machine", uri: M },
      { name: "Motor", uri: M },
      { name: "Temperature", uri: M },
    ];
    expect(pointOf(path, variable({}), [])).toEqual({
      id: "Temperature",
      name: "Temperature",
      type: "number",
      namespace: M,
      browsePath: "Machine/Motor/Temperature",
    });
  });

  it("writes the standard's own steps as 0:", () => {
    const path = [
      { name: "Server", uri: "http://opcfoundation.org/UA/" },
      { name: "Speed", uri: M },
    ];
    expect(pointOf(path, variable({ browseName: "Speed" }), []).browsePath).toBe("0:Server/Speed");
  });

  it("falls back to the NodeId's identifier when the path crosses namespaces or a name holds '/'", () => {
    const mixed = [
      { name: "Line", uri: "urn:other" },
      { name: "Speed", uri: M },
    ];
    expect(pointOf(mixed, variable({ nodeId: "ns=3;s=Line.Speed", browseName: "Speed" }), [])).toMatchObject({
      nodeId: "s=Line.Speed",
      namespace: M,
    });
    const slash = [{ name: "A/B", uri: M }];
    expect(pointOf(slash, variable({ nodeId: "ns=2;s=AB" }), []).nodeId).toBe("s=AB");
  });

  it("takes the type from the data type, the first element of an array, and an id not taken", () => {
    const path = [{ name: "Running", uri: M }];
    expect(
      pointOf(path, variable({ browseName: "Running", dataType: "Boolean" }), ["Running"]),
    ).toMatchObject({
      id: "Running_2",
      type: "boolean",
    });
    expect(pointOf(path, variable({ dataType: "String" }), []).type).toBe("string");
    expect(pointOf(path, variable({ dataType: "DateTime" }), []).type).toBe("datetime");
    expect(pointOf(path, variable({ value: [1, 2, 3] }), []).index).toBe(0);
  });

  it("makes one element of an array variable a point of its own, named after the element", () => {
    const path = [
      { name: "Motor", uri: M },
      { name: "Currents", uri: M },
    ];
    const currents = variable({ browseName: "Currents", displayName: "Currents", value: [1.5, 2.5, 3.5] });
    expect(pointOf(path, currents, ["Currents_2"], 2)).toMatchObject({
      id: "Currents_2_2",
      name: "Currents[2]",
      index: 2,
      browsePath: "Motor/Currents",
      type: "number",
    });
    expect(arrayElements(currents)).toEqual([
      { index: 0, value: "1.5" },
      { index: 1, value: "2.5" },
      { index: 2, value: "3.5" },
    ]);
    expect(arrayElements(currents, 2)).toHaveLength(2);
    expect(arrayElements(variable({ value: 4 }))).toEqual([]);
    expect(pickKey("ns=2;s=C", 2)).toBe("ns=2;s=C[2]");
    expect(pickKey("ns=2;s=C")).toBe("ns=2;s=C");
  });
});

describe("ids and values", () => {
  it("makes ids and profile ids the config accepts", () => {
    expect(pointIdOf("Spindle speed (rpm)", [])).toBe("Spindle_speed_rpm");
    expect(localProfileOf("Press_4")).toBe("local/press-4");
  });

  it("shortens long values and arrays for the tree", () => {
    expect(shownValue(variable({ value: [1, 2, 3, 4, 5] }))).toBe("[1, 2, 3, 4, …]");
    expect(shownValue(variable({ value: "x".repeat(50) }))).toHaveLength(40);
    expect(shownValue(variable({}))).toBe("");
  });
});
