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
