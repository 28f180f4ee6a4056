import { Fragment, useState } from 'react';
import { get, query } from '../api';
import { T, Time } from '../i18n';
import { may, useSession } from '../session';
import { ErrorNotice, Loading } from '../ui/feedback';
import { Button, Form, TextField } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import type { UserView } from './users-page';

interface AuditEvent {
  seq: number;
  occurredAt: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  data: Record<string, unknown>;
  hash: string;
}

interface Filters {
  action: string;
  actorId: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { action: '', actorId: '', from: '', to: '' };
const PAGE = 50;

/** A datetime-local value (the browser's time zone) as the ISO instant the API expects. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

function filterQuery(filters: Filters, extra: Record<string, string | number | undefined> = {}) {
  return query({
    action: filters.action.trim(),
    actorId: filters.actorId.trim(),
    from: instant(filters.from),
    to: instant(filters.to),
    ...extra,
  });
}

export function AuditPage() {
  const { session } = useSession();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [open, setOpen] = useState<number>();
  const more = useAction();

  const first = useLoad(async () => {
    const page = await get<{ events: AuditEvent[]; nextBefore: number | null }>(
      `/api/audit${filterQuery(filters, { limit: PAGE })}`,
    );
    setEvents(page.events);
    setNextBefore(page.nextBefore);
    return page;
  }, filters);

  // Admins may read the people list: show names instead of ids where we can.
  const admin = may(session, 'manageOrganization');
  const people = useLoad(
    () => (admin ? get<UserView[]>('/api/users') : Promise.resolve([] as UserView[])),
    admin,
  );
  const nameOf = (id: string | null) =>
    (id && people.data?.find((u) => u.id === id)?.displayName) || undefined;

  async function loadMore() {
    if (nextBefore === null) return;
    const page = await more.run(() =>
      get<{ events: AuditEvent[]; nextBefore: number | null }>(
        `/api/audit${filterQuery(filters, { limit: PAGE, before: nextBefore })}`,
      ),
    );
    if (!page) return;
    setEvents((list) => [...list, ...page.events]);
    setNextBefore(page.nextBefore);
  }

  const exportHref = `/api/audit/export${filterQuery(filters)}`;

  return (
    <>
      <PageHeader
        heading="app.audit.title"
        intro={<T id="app.audit.intro" />}
        actions={
          <a className="button button-secondary" href={exportHref} download data-testid="audit-export">
            <T id="app.audit.export" />
          </a>
        }
      />
      <Section title={<T id="app.audit.filters" />}>
        <Form onSubmit={() => setFilters(draft)} className="filters">
          <TextField
            label={<T id="app.audit.action" />}
            hint={<T id="app.audit.action.hint" />}
            name="action"
            dir="ltr"
            spellCheck={false}
            value={draft.action}
            onChange={(event) => setDraft({ ...draft, action: event.target.value })}
          />
          <TextField
            label={<T id="app.audit.actor" />}
            hint={<T id="app.audit.actor.hint" />}
            name="actor"
            dir="ltr"
            spellCheck={false}
            pattern="[0-9a-fA-F-]{36}"
            value={draft.actorId}
            onChange={(event) => setDraft({ ...draft, actorId: event.target.value })}
          />
          <TextField
            label={<T id="app.audit.from" />}
            type="datetime-local"
            name="from"
            value={draft.from}
            onChange={(event) => setDraft({ ...draft, from: event.target.value })}
          />
          <TextField
            label={<T id="app.audit.to" />}
            type="datetime-local"
            name="to"
            value={draft.to}
            onChange={(event) => setDraft({ ...draft, to: event.target.value })}
          />
          <div className="row filters-actions">
            <Button type="submit" variant="primary">
              <T id="app.audit.apply" />
            </Button>
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(EMPTY);
                setFilters(EMPTY);
              }}
            >
              <T id="app.audit.clear" />
            </Button>
          </div>
        </Form>
      </Section>
      <Section title={<T id="app.audit.events" />}>
        <ErrorNotice error={first.error} />
        {first.loading && events.length === 0 ? (
          <Loading />
        ) : events.length === 0 ? (
          <p className="empty">
            <T id="app.audit.none" />
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table table-audit">
              <thead>
                <tr>
                  <th scope="col">
                    <T id="app.audit.col.time" />
                  </th>
                  <th scope="col">
                    <T id="app.audit.col.action" />
                  </th>
                  <th scope="col">
                    <T id="app.audit.col.actor" />
                  </th>
                  <th scope="col">
                    <T id="app.audit.col.target" />
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">
                      <T id="app.audit.col.details" />
                    </span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {events.map((event) => (
                  <Fragment key={event.seq}>
                    <tr>
                      <td className="nowrap">
                        <Time value={event.occurredAt} />
                      </td>
                      <td>
                        <code dir="ltr">{event.action}</code>
                      </td>
                      <td>
                        {event.actorType === 'system' ? (
                          <T id="app.audit.system" />
                        ) : event.actorType === 'api_token' ? (
                          <T id="app.audit.token" />
                        ) : (
                          (nameOf(event.actorId) ?? <code dir="ltr">{event.actorId}</code>)
                        )}
                      </td>
                      <td>
                        {event.targetType && (
                          <span className="muted">
                            {nameOf(event.targetId) ?? (
                              <code dir="ltr">
                                {event.targetType} {event.targetId?.slice(0, 8)}
                              </code>
                            )}
                          </span>
                        )}
                      </td>
                      <td>
                        <Button
                          variant="ghost"
                          aria-expanded={open === event.seq}
                          onClick={() => setOpen(open === event.seq ? undefined : event.seq)}
                        >
                          <T id={open === event.seq ? 'app.audit.hide' : 'app.audit.show'} />
                        </Button>
                      </td>
                    </tr>
                    {open === event.seq && (
                      <tr className="row-editor">
                        <td colSpan={5}>
                          <dl className="facts facts-compact">
                            <div>
                              <dt>
                                <T id="app.audit.seq" />
                              </dt>
                              <dd>{event.seq}</dd>
                            </div>
                            <div>
                              <dt>
                                <T id="app.audit.requestId" />
                              </dt>
                              <dd>
                                <code dir="ltr">{event.requestId ?? '—'}</code>
                              </dd>
                            </div>
                            <div>
                              <dt>
                                <T id="app.audit.target" />
                              </dt>
                              <dd>
                                <code dir="ltr">
                                  {event.targetType} {event.targetId}
                                </code>
                              </dd>
                            </div>
                            <div>
                              <dt>
                                <T id="app.audit.hash" />
                              </dt>
                              <dd>
                                <code dir="ltr" className="break">
                                  {event.hash}
                                </code>
                              </dd>
                            </div>
                          </dl>
                          <pre className="json" dir="ltr">
                            {JSON.stringify(event.data, null, 2)}
                          </pre>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <ErrorNotice error={more.error} />
        {nextBefore !== null && (
          <Button pending={more.pending} onClick={() => void loadMore()}>
            <T id="app.audit.more" />
          </Button>
        )}
      </Section>
    </>
  );
}
