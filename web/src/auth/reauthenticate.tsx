import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';
import { ApiError, post } from '../api';
import { T, useT } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { Section } from '../ui/layout';

type Ask = () => Promise<boolean>;
const AskContext = createContext<Ask | undefined>(undefined);

/**
 * Runs a call that changes a second factor. When the server wants a recent proof of the user
 * (reauthentication_required), the surrounding ReauthenticationPrompt asks for the password and
 * the call is made once more; without a prompt around it (enrolment), the error stands.
 */
export function useReauthenticated() {
  const ask = useContext(AskContext);
  return useCallback(
    async <R,>(call: () => Promise<R>): Promise<R> => {
      try {
        return await call();
      } catch (error) {
        const wanted = error instanceof ApiError && error.code === 'reauthentication_required';
        if (!wanted || !ask || !(await ask())) throw error;
        return call();
      }
    },
    [ask],
  );
}

/** Wraps the parts of a page that change second factors; shows the password form when asked. */
export function ReauthenticationPrompt({ children }: { children: ReactNode }) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const answer = useRef<(proved: boolean) => void>(undefined);
  const [password, setPassword] = useState('');
  const { run, pending, error, setError } = useAction();

  const ask = useCallback<Ask>(
    () =>
      new Promise<boolean>((resolve) => {
        answer.current?.(false);
        answer.current = resolve;
        setPassword('');
        setError(undefined);
        setAsking(true);
      }),
    [setError],
  );

  function finish(proved: boolean) {
    setAsking(false);
    setPassword('');
    answer.current?.(proved);
    answer.current = undefined;
  }

  async function submit() {
    const ok = await run(async () => {
      await post('/api/me/reauthenticate', { password });
      return true;
    });
    if (ok) finish(true);
  }

  return (
    <AskContext.Provider value={ask}>
      {asking && (
        <div role="dialog" aria-label={t('app.account.reauth.title')} data-testid="reauthenticate">
          <Section title={<T id="app.account.reauth.title" />} intro={<T id="app.account.reauth.text" />}>
            <Form onSubmit={submit}>
              <TextField
                label={<T id="app.field.password" />}
                type="password"
                name="reauth-password"
                autoComplete="current-password"
                autoFocus
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
              <ErrorNotice error={error} />
              <div className="row">
                <Button type="submit" variant="primary" pending={pending}>
                  <T id="app.account.reauth.submit" />
                </Button>
                <Button variant="ghost" onClick={() => finish(false)}>
                  <T id="app.action.cancel" />
                </Button>
              </div>
            </Form>
          </Section>
        </div>
      )}
      {children}
    </AskContext.Provider>
  );
}
