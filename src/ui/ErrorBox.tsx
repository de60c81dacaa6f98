// A typed error as every panel shows it: its name in bold, then what went wrong and what to do.

import type { ReactNode } from 'react';

export function ErrorBox({ error, testId, children }: { error: { name: string; message: string }; testId: string; children?: ReactNode }) {
  return (
    <div className="error-box" role="alert" data-testid={testId}>
      <strong>{error.name}</strong>: {error.message}
      {children}
    </div>
  );
}
