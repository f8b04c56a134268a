import type { ComponentChildren } from "preact";
import { useSessionContext } from "./auth/context.js";
import { UserBadge } from "./auth/LoginForm.js";
import { useBrand } from "./branding.js";
import { PrefsControls } from "./PrefsControls.js";

interface Props {
  /** The page's heading and anything that belongs with it (gateway id, version). */
  title: ComponentChildren;
  /** Status shown between title and tools, e.g. the fleet's offline count. */
  children?: ComponentChildren;
  /** Extra controls before the display preferences, e.g. the signed-in user. */
  tools?: ComponentChildren;
}

/** The header of both views: brand and title, status, then tools ending with theme and language. */
export function TopBar({ title, children, tools }: Props) {
  const session = useSessionContext();
  const brand = useBrand();
  return (
    <header class="topbar">
      <div class="topbar-title">
        <span class="brand" data-testid="brand">
          {brand.logoUrl && <img class="brand-logo" src={brand.logoUrl} alt="" />}
          {brand.productName}
        </span>
        {title}
      </div>
      {children}
      <div class="topbar-tools">
        {tools}
        {session && <UserBadge me={session.me} onSignOut={session.signOut} />}
        <PrefsControls />
      </div>
    </header>
  );
}
