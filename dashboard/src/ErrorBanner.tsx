import { t } from "./i18n.js";

/** The one visible signal that the API is unreachable; the view underneath keeps its last data. */
export function ErrorBanner({ message, detail }: { message: string; detail?: string | undefined }) {
  return (
    <div class="banner" role="alert" data-testid="error-banner">
      <span class="banner-spinner" aria-hidden="true" />
      <span>
        {message}
        {detail && <span class="banner-detail"> {t.errorDetail(detail)}</span>}
      </span>
    </div>
  );
}
