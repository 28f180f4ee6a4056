import { escapeHtml } from '../../platform/html.js';
import type { EmailContent } from '../../platform/outbox.js';
import { direction, t, type Locale, type MessageKey } from '../../platform/i18n.js';

/**
 * A platform e-mail with one call to action, in the recipient's language:
 * a text part and an HTML part laid out in the language's direction.
 */
export function actionMail(options: {
  to: string;
  locale: Locale;
  subject: MessageKey;
  intro: MessageKey;
  action: MessageKey;
  outro: MessageKey;
  link: string;
  values?: Record<string, string | number>;
}): EmailContent {
  const { locale, values } = options;
  const subject = t(locale, options.subject, values);
  const intro = t(locale, options.intro, values);
  const action = t(locale, options.action, values);
  const outro = t(locale, options.outro, values);
  const dir = direction(locale);
  return {
    to: options.to,
    subject,
    text: `${intro}\n\n${action}: ${options.link}\n\n${outro}\n`,
    html:
      `<!doctype html><html lang="${locale}" dir="${dir}"><body>` +
      `<p>${escapeHtml(intro)}</p>` +
      `<p><a href="${escapeHtml(options.link)}">${escapeHtml(action)}</a></p>` +
      `<p>${escapeHtml(outro)}</p></body></html>`,
  };
}
