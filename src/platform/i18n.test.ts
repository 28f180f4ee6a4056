import { describe, expect, it } from 'vitest';
import { chooseLocale, direction, fromAcceptLanguage, t } from './i18n.js';

describe('language negotiation', () => {
  it('prefers the user’s setting, then Accept-Language by weight, then the organization’s default', () => {
    expect(chooseLocale({ userLocale: 'ar', acceptLanguage: 'cs', organizationLocale: 'en' })).toBe('ar');
    expect(chooseLocale({ acceptLanguage: 'de-DE,cs;q=0.8,en;q=0.9', organizationLocale: 'ar' })).toBe('en');
    expect(chooseLocale({ acceptLanguage: 'de, fr', organizationLocale: 'cs' })).toBe('cs');
    expect(chooseLocale({})).toBe('en');
    expect(fromAcceptLanguage('ar-EG;q=0.1, cs-CZ;q=0')).toBe('ar');
  });

  it('formats plurals by each language’s rules and knows the direction', () => {
    expect(t('cs', 'mail.reset.outro', { minutes: 2 })).toContain('2 minuty');
    expect(t('cs', 'mail.reset.outro', { minutes: 5 })).toContain('5 minut');
    expect(t('ar', 'mail.reset.outro', { minutes: 2 })).toContain('دقيقتين');
    expect(t('ar', 'mail.reset.outro', { minutes: 11 })).toContain('11 دقيقة');
    expect(direction('ar')).toBe('rtl');
    expect(direction('cs')).toBe('ltr');
  });
});

describe('a name ending with its own full stop', () => {
  it('closes the sentence once in every language, and keeps its stop mid-sentence', () => {
    expect(t('en', 'notice.email.sentBy', { organization: 'Acme Inc.' })).toBe(
      'This notice was sent to you by Acme Inc.',
    );
    expect(t('cs', 'notice.email.sentBy', { organization: 'Pekárna Novák s.r.o.' })).toBe(
      'Toto oznámení vám zasílá Pekárna Novák s.r.o.',
    );
    expect(t('ar', 'app.invitation.intro', { organization: 'Acme Inc.' })).toBe('أنت مدعو إلى Acme Inc.');
    // Mid-sentence the name keeps its stop and the message goes on.
    expect(t('en', 'affected.form.explain', { organization: 'Acme Inc.' })).toMatch(
      /^Enter the e-mail address you gave Acme Inc\. If your data/,
    );
    // A name without a stop still gets the message's.
    expect(t('en', 'notice.email.sentBy', { organization: 'Acme' })).toBe(
      'This notice was sent to you by Acme.',
    );
    expect(t('en', 'app.overview.welcome', { name: 'Wait...' })).toBe('Welcome, Wait...');
  });

  it('leaves a value that already holds the private mark as it was written', () => {
    expect(t('en', 'notice.email.sentBy', { organization: 'A\uE000B Inc.' })).toBe(
      'This notice was sent to you by A\uE000B Inc..',
    );
  });
});
