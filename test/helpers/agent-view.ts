/** An agent view with no devices, for route tests that never read status, buffer or uplink. */
export const stubAgentView = {
  gateway: "g",
  version: "t",
  startedAt: 0,
  devices: () => [],
  latest: () => [],
  buffer: () => {
    throw new Error("not used");
  },
  uplink: () => {
    throw new Error("not used");
  },
};
