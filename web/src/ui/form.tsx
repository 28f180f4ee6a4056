import {
  useId,
  type ButtonHTMLAttributes,
  type FormEvent,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { T, type MessageId } from '../i18n';
import { ErrorNotice, Notice } from './feedback';
import { ROLES, type Role } from '../session';

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'ghost';
  pending?: boolean;
};

export function Button({
  variant = 'secondary',
  pending,
  disabled,
  className,
  children,
  ...rest
}: ButtonProps) {
  return (
    <button
      type="button"
      className={['button', `button-${variant}`, className].filter(Boolean).join(' ')}
      disabled={disabled || pending}
      aria-busy={pending || undefined}
      {...rest}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

export function Form({
  onSubmit,
  children,
  className,
}: {
  onSubmit: () => void | Promise<unknown>;
  children: ReactNode;
  className?: string;
}) {
  function submit(event: FormEvent) {
    event.preventDefault();
    void onSubmit();
  }
  return (
    <form className={['form', className].filter(Boolean).join(' ')} onSubmit={submit}>
      {children}
    </form>
  );
}

type FieldProps = { label: ReactNode; hint?: ReactNode };

export function TextField({
  label,
  hint,
  className,
  ...input
}: FieldProps & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hintId} {...input} />
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function SelectField({
  label,
  hint,
  children,
  ...select
}: FieldProps & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-describedby={hintId} {...select}>
        {children}
      </select>
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

export function CheckboxField({
  label,
  hint,
  ...input
}: FieldProps & Omit<InputHTMLAttributes<HTMLInputElement>, 'type'>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="checkbox-field">
      <input id={id} type="checkbox" aria-describedby={hintId} {...input} />
      <div>
        <label htmlFor={id}>{label}</label>
        {hint && (
          <p className="field-hint" id={hintId}>
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

/** Roles as checkboxes, each with a line on what it may do. */
export function RolePicker({
  value,
  onChange,
  legend,
}: {
  value: string[];
  onChange(roles: Role[]): void;
  legend: ReactNode;
}) {
  const toggle = (role: Role, on: boolean) =>
    onChange(ROLES.filter((r) => (r === role ? on : value.includes(r))));
  return (
    <fieldset className="fieldset role-picker">
      <legend>{legend}</legend>
      {ROLES.map((role) => (
        <CheckboxField
          key={role}
          name="roles"
          value={role}
          checked={value.includes(role)}
          onChange={(event) => toggle(role, event.target.checked)}
          label={<T id={`app.role.${role}`} />}
          hint={<T id={`app.role.${role}.hint`} />}
        />
      ))}
    </fieldset>
  );
}

export function TextAreaField({
  label,
  hint,
  className,
  ...textarea
}: FieldProps & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className={['field', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-describedby={hintId} rows={4} {...textarea} />
      {hint && (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** The end of a settings form: what went wrong, that it was saved, and its submit button. */
export function SaveFooter({
  error,
  saved,
  savedMessage,
  pending,
  disabled,
  label = 'app.action.save',
}: {
  error: unknown;
  saved: boolean;
  savedMessage: MessageId;
  pending: boolean;
  disabled?: boolean;
  label?: MessageId;
}) {
  return (
    <>
      <ErrorNotice error={error} />
      {saved && (
        <Notice tone="success">
          <p>
            <T id={savedMessage} />
          </p>
        </Notice>
      )}
      <Button type="submit" variant="primary" pending={pending} disabled={disabled}>
        <T id={label} />
      </Button>
    </>
  );
}
