import { useState } from 'react';
import { LANGUAGE_NAMES, T, useT } from '../i18n';
import { Badge } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { partLabel, type NoticeView } from './notices-shared';

/** The candour checks' flags on the latest version, each accepted with a reason. */
export function Flags({
  view,
  canAccept,
  onAccept,
}: {
  view: NoticeView;
  canAccept: boolean;
  onAccept(flagId: string, reason: string): Promise<void>;
}) {
  const t = useT();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const flags = view.latest.flags;
  return (
    <div className="notice-flags" data-testid="notice-flags">
      <h4>
        <T id="app.notices.flags.title" />
      </h4>
      {flags.length === 0 && (
        <p>
          <T id="app.notices.flags.none" />
        </p>
      )}
      <ul>
        {flags.map((f) => (
          <li key={f.id} data-testid="notice-flag" data-flag={f.id}>
            <T
              id={`app.notices.flag.${f.kind}`}
              values={{
                language: t(LANGUAGE_NAMES[f.locale]),
                field: f.field ? t(partLabel(f.field)) : '',
                term: f.term ?? '',
                customers: f.customers ?? 0,
              }}
            />
            {f.accepted ? (
              <p className="notice-flag-accepted">
                <Badge tone="success">
                  <T id="app.notices.flag.accepted" values={{ reason: f.accepted.reason }} />
                </Badge>
              </p>
            ) : (
              canAccept && (
                <Form onSubmit={() => onAccept(f.id, reasons[f.id] ?? '')} className="notice-flag-accept">
                  <TextField
                    label={<T id="app.notices.flag.reason" />}
                    name="flag-reason"
                    required
                    minLength={3}
                    maxLength={2000}
                    value={reasons[f.id] ?? ''}
                    onChange={(event) => setReasons({ ...reasons, [f.id]: event.target.value })}
                  />
                  <Button type="submit">
                    <T id="app.notices.flag.accept" />
                  </Button>
                </Form>
              )
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
