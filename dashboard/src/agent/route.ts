import { useEffect, useState } from "preact/hooks";

export type AgentRoute = "overview" | "technician";

/** `#/technician` opens the technician page; anything else is the overview. */
export function routeOf(hash: string): AgentRoute {
  return hash.replace(/^#\/?/, "") === "technician" ? "technician" : "overview";
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
