import { useState } from 'react';
import { get, post } from '../api';
import { T } from '../i18n';
import { Badge, ErrorNotice, Loading } from '../ui/feedback';
import { Button } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';
import { NoticeEditor } from './notice-editor';
import { useCan, type NoticeView } from './notices-shared';
import type { IncidentView } from '../incidents/model';
import './notices.css';

interface NoticeListItem {
  id: string;
  kind: 'mandatory' | 'optional';
  version: number;
  subject: string;
  subjectLocale: string;
  approved: boolean;
}

/**
 * The incident's customer notices: drafted from the built-in templates, edited per language
 * (each save a new version), checked for candour, previewed, approved by legal, sent.
 */
export function NoticesSection({ incident }: { incident: IncidentView }) {
  const { can } = useCan();
  const list = useLoad(() => get<NoticeListItem[]>(`/api/incidents/${incident.id}/notices`), incident.id);
  const [open, setOpen] = useState<string>();
  const action = useAction();

  async function create(kind: 'mandatory' | 'optional') {
    const created = await action.run(() =>
      post<NoticeView>(`/api/incidents/${incident.id}/notices`, { kind }),
    );
    if (created) {
      await list.reload();
      setOpen(created.id);
    }
  }

  return (
    <Section
      title={<T id="app.notices.title" />}
      intro={<T id="app.notices.intro" />}
      actions={
        can('notices.draft') && (
          <>
            <Button
              pending={action.pending}
              onClick={() => void create('mandatory')}
              data-testid="notice-new-mandatory"
            >
              <T id="app.notices.new.mandatory" />
            </Button>
            <Button
              pending={action.pending}
              onClick={() => void create('optional')}
              data-testid="notice-new-optional"
            >
              <T id="app.notices.new.optional" />
            </Button>
          </>
        )
      }
    >
      <div className="notices" data-testid="notices">
        <ErrorNotice error={action.error ?? list.error} />
        {list.loading && !list.data && <Loading />}
        {list.data?.length === 0 && (
          <p>
            <T id="app.notices.none" />
          </p>
        )}
        <ul className="notices-list">
          {list.data?.map((n) => (
            <li key={n.id}>
              <Button variant={open === n.id ? 'primary' : 'secondary'} onClick={() => setOpen(n.id)}>
                <T id="app.notices.open" />
              </Button>{' '}
              <T id={`app.notices.kind.${n.kind}`} /> ·{' '}
              <T id="app.notices.version" values={{ version: n.version }} />{' '}
              {n.approved ? (
                <Badge tone="success">
                  <T id="app.notices.status.approved" />
                </Badge>
              ) : (
                <Badge tone="warning">
                  <T id="app.notices.status.waiting" />
                </Badge>
              )}{' '}
              <span className="notices-subject" lang={n.subjectLocale} dir="auto">
                {n.subject}
              </span>
            </li>
          ))}
        </ul>
        {open && <NoticeEditor key={open} noticeId={open} onChanged={() => void list.reload()} />}
      </div>
    </Section>
  );
}
