import { T, type MessageId } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { conflictMessageId, wrongField } from './trust-api';

/** An error as the trust center words it: a named conflict in its own words, else as the server said. */
export function TrustErrorNotice({ error }: { error: unknown }) {
  const id = conflictMessageId(error);
  if (!id) return <ErrorNotice error={error} />;
  return (
    <div className="notice notice-error" role="alert" data-testid="trust-error">
      <p className="notice-title">
        <T id={id} />
      </p>
    </div>
  );
}

/** The line under a field the server found wrong (its `where`), announced when it appears. */
export function FieldError({
  error,
  where,
  message = 'app.trust.field.invalid',
}: {
  error: unknown;
  where: string;
  message?: MessageId;
}) {
  if (!wrongField(error, where)) return null;
  return (
    <p className="field-error" role="alert" data-testid="trust-field-error" data-where={where}>
      <T id={message} />
    </p>
  );
}
