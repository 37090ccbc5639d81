/** A page's title row with its action buttons on the right, as every list and detail page has it. */
import type { ReactNode } from 'react';

/** `badge`: shown after the title (a detail page's state), a space between them. */
export function PageHead({ title, badge, children }: { title: ReactNode; badge?: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>
        {title}
        {badge ? <> {badge}</> : null}
      </h1>
      <div className="actions">{children}</div>
    </div>
  );
}
