import { useState } from 'react';
import { post } from '../api';
import { T, useTimeZone } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextAreaField, TextField } from '../ui/form';
import { useAction } from '../ui/hooks';
import type { Clock } from './clocks-shared';
import { toInstant, toLocalInput } from './model';

/** A clock marked as filed: the regulator's reference, when, and what was sent. */
export function FileForm({
  incidentId,
  clock,
  onDone,
  onCancel,
}: {
  incidentId: string;
  clock: Clock;
  onDone(): void;
  onCancel(): void;
}) {
  const [reference, setReference] = useState('');
  const zone = useTimeZone();
  const [filedAt, setFiledAt] = useState(() => toLocalInput(new Date().toISOString(), zone));
  const [text, setText] = useState('');
  const { run, pending, error } = useAction();
  async function submit() {
    const done = await run(() =>
      post<Clock>(`/api/incidents/${incidentId}/clocks/${clock.id}/filed`, {
        reference: reference.trim(),
        ...(text.trim() ? { text: text.trim() } : {}),
        ...(toInstant(filedAt, zone) ? { filedAt: toInstant(filedAt, zone) } : {}),
      }),
    );
    if (done) onDone();
  }
  return (
    <Form onSubmit={submit}>
      <TextField
        label={<T id="app.clocks.file.reference" />}
        hint={<T id="app.clocks.file.reference.hint" />}
        required
        maxLength={500}
        value={reference}
        onChange={(event) => setReference(event.target.value)}
      />
      <TextField
        label={<T id="app.clocks.file.when" />}
        type="datetime-local"
        required
        value={filedAt}
        onChange={(event) => setFiledAt(event.target.value)}
      />
      <TextAreaField
        label={<T id="app.clocks.file.text" />}
        rows={2}
        maxLength={20000}
        value={text}
        onChange={(event) => setText(event.target.value)}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.clocks.markFiled" />
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          <T id="app.action.cancel" />
        </Button>
      </div>
    </Form>
  );
}

/** A clock marked as not applicable, with the reason. */
export function WaiveForm({
  incidentId,
  clock,
  onDone,
  onCancel,
}: {
  incidentId: string;
  clock: Clock;
  onDone(): void;
  onCancel(): void;
}) {
  const [reason, setReason] = useState('');
  const { run, pending, error } = useAction();
  async function submit() {
    const done = await run(() =>
      post<Clock>(`/api/incidents/${incidentId}/clocks/${clock.id}/not-applicable`, {
        reason: reason.trim(),
      }),
    );
    if (done) onDone();
  }
  return (
    <Form onSubmit={submit}>
      <TextAreaField
        label={<T id="app.clocks.waive.reason" />}
        required
        rows={2}
        maxLength={2000}
        value={reason}
        onChange={(event) => setReason(event.target.value)}
      />
      <ErrorNotice error={error} />
      <div className="row">
        <Button type="submit" variant="primary" pending={pending}>
          <T id="app.clocks.markNotApplicable" />
        </Button>
        <Button variant="ghost" onClick={onCancel}>
          <T id="app.action.cancel" />
        </Button>
      </div>
    </Form>
  );
}
