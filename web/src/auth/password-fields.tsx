import { T } from '../i18n';
import { LocalError } from '../ui/errors';
import { TextField } from '../ui/form';

export interface NewPassword {
  password: string;
  confirm: string;
}

/** A new password typed twice, so that a typo cannot lock anyone out. */
export function NewPasswordFields({
  value,
  onChange,
  label = 'app.field.newPassword',
}: {
  value: NewPassword;
  onChange(value: NewPassword): void;
  label?: 'app.field.newPassword' | 'app.field.password';
}) {
  return (
    <>
      <TextField
        label={<T id={label} />}
        type="password"
        name="new-password"
        autoComplete="new-password"
        required
        value={value.password}
        onChange={(event) => onChange({ ...value, password: event.target.value })}
        hint={<T id="app.field.password.hint" values={{ min: 12 }} />}
      />
      <TextField
        label={<T id="app.field.confirmPassword" />}
        type="password"
        name="confirm-password"
        autoComplete="new-password"
        required
        value={value.confirm}
        onChange={(event) => onChange({ ...value, confirm: event.target.value })}
      />
    </>
  );
}

export function checkConfirmed(value: NewPassword): void {
  if (value.password !== value.confirm) throw new LocalError('app.password.mismatch');
}
