import type { ReactNode } from 'react';
import { ApiError } from '../api';
import { T } from '../i18n';
import { LocalError } from './errors';

/** An API error as the server worded it, with the request id support will ask for. */
export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">
        {error instanceof LocalError ? (
          <T id={error.messageId} />
        ) : api?.code === 'network' ? (
          <T id="app.error.network" />
        ) : api?.message ? (
          api.message
        ) : (
          <T id="app.error.unexpected" />
        )}
      </p>
      {api?.requestId && (
        <p className="notice-detail">
          <T id="app.error.requestId" values={{ id: <code className="request-id">{api.requestId}</code> }} />
        </p>
      )}
    </div>
  );
}

export function Notice({
  tone = 'info',
  children,
}: {
  tone?: 'info' | 'success' | 'warning';
  children: ReactNode;
}) {
  return (
    <div className={`notice notice-${tone}`} role={tone === 'success' ? 'status' : undefined}>
      {children}
    </div>
  );
}

export function Loading() {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      <T id="app.loading" />
    </p>
  );
}

export function Badge({
  tone = 'neutral',
  children,
}: {
  tone?: 'neutral' | 'success' | 'warning' | 'danger' | 'info';
  children: ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
