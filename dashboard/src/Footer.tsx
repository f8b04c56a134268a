import { useBrand } from "./branding.js";

/** The integrator's link at the foot of every page (white-label); nothing by default. */
export function Footer() {
  const footer = useBrand().footer;
  if (!footer) return null;
  return (
    <footer class="page-footer">
      <a href={footer.url} target="_blank" rel="noopener noreferrer" data-testid="brand-footer">
        {footer.text}
      </a>
    </footer>
  );
}
