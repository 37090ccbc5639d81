/** A page's title row with its action buttons on the right, as every list and detail page has it. */
import type { ReactNode } from 'react';

export function PageHead({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      <div className="actions">{children}</div>
    </div>
  );
}
