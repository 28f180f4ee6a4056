import { useState, type ReactNode } from 'react';
import { post } from '../api';
import { T, isMessageId, useListFormat, useLocale, useRegionName, useT } from '../i18n';
import { ErrorNotice } from '../ui/feedback';
import { Button, Form, TextAreaField } from '../ui/form';
import { useAction } from '../ui/hooks';
import { Instant } from './fields';
import { MOMENTS, STATES, type IncidentView, type TimelineEvent } from './model';

export function NoteForm({ incidentId, onAdded }: { incidentId: string; onAdded(): void }) {
  const [note, setNote] = useState('');
  const { run, pending, error } = useAction();
  async function submit() {
    const done = await run(() => post(`/api/incidents/${incidentId}/notes`, { note: note.trim() }));
    if (done !== undefined) {
      setNote('');
      onAdded();
    }
  }
  return (
    <Form onSubmit={submit}>
      <TextAreaField
        label={<T id="app.timeline.note" />}
        name="note"
        required
        rows={2}
        maxLength={20000}
        value={note}
        onChange={(event) => setNote(event.target.value)}
      />
      <ErrorNotice error={error} />
      <Button type="submit" pending={pending} disabled={!note.trim()}>
        <T id="app.timeline.addNote" />
      </Button>
    </Form>
  );
}

const isState = (value: unknown): value is (typeof STATES)[number] =>
  typeof value === 'string' && (STATES as readonly string[]).includes(value);
const isMoment = (value: string): value is (typeof MOMENTS)[number] =>
  (MOMENTS as readonly string[]).includes(value);
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** A text the server kept in every language of the plan ({ en, cs, ar }): the viewer's, else any. */
function localized(value: unknown, locale: string): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const texts = value as Record<string, unknown>;
    return text(texts[locale]) || Object.values(texts).map(text).find(Boolean) || '';
  }
  return '';
}

/** Every change and note, oldest first, with who did it and when. */
export function Timeline({ events, incident }: { events: TimelineEvent[]; incident: IncidentView }) {
  if (events.length === 0) {
    return (
      <p className="empty">
        <T id="app.timeline.none" />
      </p>
    );
  }
  return (
    <ol className="timeline" data-testid="timeline">
      {events.map((event) => (
        <li key={event.id} className="timeline-event" data-kind={event.kind}>
          <div className="timeline-head">
            <span className="timeline-kind">
              <EventTitle event={event} />
            </span>
            <span className="muted">
              <Instant value={event.occurredAt} />
              {' · '}
              <Actor event={event} />
            </span>
          </div>
          <EventDetail event={event} incident={incident} />
          {event.note && <p className="timeline-note prose">{event.note}</p>}
        </li>
      ))}
    </ol>
  );
}

function Actor({ event }: { event: TimelineEvent }) {
  if (event.actorName) return <bdi>{event.actorName}</bdi>;
  if (event.actorType === 'system') return <T id="app.audit.system" />;
  if (event.actorType === 'api_token') return <T id="app.audit.token" />;
  return <code dir="ltr">{event.actorId?.slice(0, 8)}</code>;
}

function EventTitle({ event }: { event: TimelineEvent }) {
  const key = `app.timeline.kind.${event.kind}`;
  if (isMessageId(key)) return <T id={key} />;
  return <T id="app.timeline.kind.other" values={{ kind: event.kind }} />;
}

function EventDetail({ event, incident }: { event: TimelineEvent; incident: IncidentView }) {
  const t = useT();
  const { locale } = useLocale();
  const regionName = useRegionName();
  const listFormat = useListFormat();
  const d = event.data;
  let detail: ReactNode = null;
  switch (event.kind) {
    case 'declared':
    case 'state_changed': {
      const from = d.from;
      const to = event.kind === 'declared' ? d.state : d.to;
      if (isState(to))
        detail = isState(from) ? (
          <T
            id="app.timeline.state"
            values={{ from: t(`incident.state.${from}`), to: t(`incident.state.${to}`) }}
          />
        ) : (
          <T id="app.timeline.stateInitial" values={{ state: t(`incident.state.${to}`) }} />
        );
      break;
    }
    case 'updated': {
      const changed = Object.keys((d.changed as Record<string, unknown> | undefined) ?? {});
      detail = (
        <T
          id="app.timeline.fields"
          values={{
            fields: listFormat(
              changed.map((field) => {
                const key = `app.incident.field.${field}`;
                return isMessageId(key) ? t(key) : field;
              }),
            ),
          }}
        />
      );
      break;
    }
    case 'moments_set': {
      const changed = (d.changed as Record<string, { to: string | null }> | undefined) ?? {};
      detail = (
        <ul className="plain-list">
          {Object.entries(changed).map(([moment, change]) => (
            <li key={moment}>
              {isMoment(moment) ? t(`incident.moment.${moment}`) : moment}
              {': '}
              {change.to ? <Instant value={change.to} /> : <T id="app.incident.moment.unset" />}
            </li>
          ))}
        </ul>
      );
      break;
    }
    case 'jurisdictions_set': {
      const to = (d.to as { code: string; estimatedAffected: number | null }[] | undefined) ?? [];
      detail = (
        <ul className="plain-list">
          {to.map((j) => (
            <li key={j.code}>
              {regionName(j.code)}
              {': '}
              {j.estimatedAffected === null ? (
                <T id="app.incident.jurisdiction.unknown" />
              ) : (
                <T id="app.incident.jurisdiction.estimated" values={{ count: j.estimatedAffected }} />
              )}
            </li>
          ))}
        </ul>
      );
      break;
    }
    case 'member_added':
    case 'member_removed': {
      const role = text(d.role);
      const name =
        incident.members.find((m) => m.userId === d.userId)?.displayName ?? text(d.userId).slice(0, 8);
      const roleKey = `incident.role.${role}`;
      detail = (
        <T id="app.timeline.member" values={{ name, role: isMessageId(roleKey) ? t(roleKey) : role }} />
      );
      break;
    }
    case 'alert':
      detail = <T id="app.timeline.alert" values={{ source: text(d.source), title: text(d.title) }} />;
      break;
    default: {
      const ruleKey = `deadline.rule.${text(d.ruleId)}`;
      const reportKey = `report.kind.${text(d.reportKind) || text(d.kind)}`;
      const title =
        localized(d.title, locale) ||
        localized(d.name, locale) ||
        (d.ruleId ? (isMessageId(ruleKey) ? t(ruleKey) : text(d.ruleId)) : '') ||
        (isMessageId(reportKey) ? t(reportKey) : '');
      if (title) detail = title;
    }
  }
  return detail ? <div className="timeline-detail">{detail}</div> : null;
}
