/** What the notice's pieces (section, editor, flags, preview, sending) share. */

import type { Locale, MessageId } from '../i18n';
import { useSession } from '../session';
import { PERMISSIONS, type Permission } from '../../../src/modules/access/permissions';
import type { NoticePart } from '../../../src/modules/notices/notice-contracts';

export type Field = 'subject' | NoticePart | 'sms';

export interface LocaleContent {
  subject: string;
  sms: string;
  parts: Record<NoticePart, string>;
}
export type Content = Record<Locale, LocaleContent>;

export interface Flag {
  id: string;
  kind: 'missing_part' | 'missing_for_customers' | 'no_apology' | 'passive_voice' | 'minimising';
  locale: Locale;
  field?: Field;
  term?: string;
  customers?: number;
  accepted: { reason: string } | null;
}

export interface NoticeView {
  id: string;
  kind: 'mandatory' | 'optional';
  isExercise: boolean;
  latest: {
    id: string;
    version: number;
    authorId: string | null;
    approvedBy: string | null;
    content: Content;
    flags: Flag[];
    /** Affected customers (test recipients in an exercise) by the language they will read. */
    readers: Partial<Record<Locale, number>>;
  };
  sends: {
    id: string;
    version: number;
    audience: 'customers' | 'test_recipients';
    status: 'scheduled' | 'fanning_out' | 'sending' | 'paused' | 'cancelled' | 'completed';
    scheduledAt: string;
  }[];
}

/** The signed-in user's id, and whether their roles grant a permission. */
export function useCan() {
  const { session } = useSession();
  const roles = session?.user?.roles ?? [];
  return {
    userId: session?.user?.id,
    can: (p: Permission) => (PERMISSIONS[p] as readonly string[]).some((r) => roles.includes(r)),
  };
}

export const partLabel = (field: Field): MessageId => `app.notices.part.${field}`;
