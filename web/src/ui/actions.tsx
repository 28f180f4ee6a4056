import { useEffect, useRef, useState, type ReactNode } from 'react';
import { T } from '../i18n';
import { Button } from './form';

/** A destructive action asks once, in place, before it runs. */
export function ConfirmButton({
  children,
  question,
  confirmLabel,
  onConfirm,
  pending,
  disabled,
  variant = 'danger',
  'data-testid': testId,
}: {
  children: ReactNode;
  question: ReactNode;
  confirmLabel: ReactNode;
  onConfirm(): void | Promise<unknown>;
  pending?: boolean;
  disabled?: boolean;
  variant?: 'danger' | 'secondary' | 'primary';
  'data-testid'?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button
        variant={variant === 'danger' ? 'secondary' : variant}
        pending={pending}
        disabled={disabled}
        onClick={() => setAsking(true)}
        data-testid={testId}
      >
        {children}
      </Button>
    );
  }
  return (
    <span className="confirm" role="group">
      <span className="confirm-question">{question}</span>
      <Button
        variant={variant}
        autoFocus
        data-testid={testId && `${testId}-confirm`}
        onClick={() => {
          setAsking(false);
          void onConfirm();
        }}
      >
        {confirmLabel}
      </Button>
      <Button variant="ghost" onClick={() => setAsking(false)}>
        <T id="app.action.cancel" />
      </Button>
    </span>
  );
}

/** Copies a secret to the clipboard and says so. */
export function CopyButton({ text, label }: { text: string; label?: ReactNode }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
    }
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 2500);
  }
  return (
    <span className="copy">
      <Button onClick={() => void copy()}>{label ?? <T id="app.action.copy" />}</Button>
      <span className="copy-status" role="status">
        {state === 'copied' && <T id="app.copy.done" />}
        {state === 'failed' && <T id="app.copy.failed" />}
      </span>
    </span>
  );
}
