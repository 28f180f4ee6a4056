import { useState } from 'react';
import { post } from '../api';
import { T } from '../i18n';
import { ErrorNotice, Notice } from '../ui/feedback';
import { Button, Form } from '../ui/form';
import { useAction } from '../ui/hooks';
import { AuthLayout } from '../ui/layout';

/**
 * The https link of an optional update's List-Unsubscribe, opened in a browser: nothing happens
 * until the reader confirms (link scanners only GET), then the same one-click POST a mail
 * provider would make.
 */
export function UnsubscribePage({ token }: { token: string }) {
  const action = useAction();
  const [done, setDone] = useState(false);

  async function confirm() {
    if (await action.run(() => post<{ status: string }>(`/unsubscribe/${encodeURIComponent(token)}`, {}))) {
      setDone(true);
    }
  }

  return (
    <AuthLayout heading="app.unsubscribe.title" intro={<T id="app.unsubscribe.intro" />}>
      <ErrorNotice error={action.error} />
      {done ? (
        <Notice tone="success">
          <T id="app.unsubscribe.done" />
        </Notice>
      ) : (
        <Form onSubmit={confirm}>
          <Button type="submit" variant="primary" pending={action.pending}>
            <T id="app.unsubscribe.confirm" />
          </Button>
        </Form>
      )}
    </AuthLayout>
  );
}
