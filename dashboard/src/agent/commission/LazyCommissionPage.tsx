import { useEffect, useState } from "preact/hooks";
import { t } from "../../i18n.js";

type Page = typeof import("./CommissionPage.js").CommissionPage;

/**
 * The commissioning page, loaded when first opened: a few technicians need it, every operator's
 * overview would otherwise download it (build.mjs puts it in a chunk of its own).
 */
export function LazyCommissionPage(props: { taken: readonly string[] }) {
  const [page, setPage] = useState<{ Page: Page } | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    import("./CommissionPage.js").then(
      (m) => setPage({ Page: m.CommissionPage }),
      (err: Error) => setError(err.message),
    );
  }, []);
  if (error) return <p class="form-error">{t.commission.failed(error)}</p>;
  if (!page) return <p class="muted">{t.loading}</p>;
  return <page.Page taken={props.taken} />;
}
