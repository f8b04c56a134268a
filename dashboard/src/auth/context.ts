import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Me } from "./session.js";

/** Who is signed in, for any component that shows or hides what a role may do. */
export const SessionContext = createContext<{ me: Me; signOut: () => void } | null>(null);

export const useSessionContext = () => useContext(SessionContext);

/** Operators and admins act on the plant (acknowledge alerts); viewers only look. */
export const mayAct = (me: Me | undefined) => me?.role === "operator" || me?.role === "admin";
