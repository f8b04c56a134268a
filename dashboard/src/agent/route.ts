import { useEffect, useState } from "preact/hooks";

export type AgentRoute = "overview" | "technician" | "commission";

/** `#/technician` opens the technician page, `#/commission` commissioning; anything else is the overview. */
export function routeOf(hash: string): AgentRoute {
  const name = hash.replace(/^#\/?/, "");
  return name === "technician" || name === "commission" ? name : "overview";
}

export function useAgentRoute(): AgentRoute {
  const [route, setRoute] = useState(() => routeOf(location.hash));
  useEffect(() => {
    const on = () => setRoute(routeOf(location.hash));
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}
