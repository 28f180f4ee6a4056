import { describe, expect, it } from 'vitest';
import { completeMapping, guessMapping } from './import-mapping-model.js';

describe('the header guess shared by the import page, the API and the CLI', () => {
  it('finds the fields under their common English, Czech and Arabic names', () => {
    expect(guessMapping(['external_id', 'Full name', 'E-mail', 'Phone', 'country'])).toEqual({
      externalId: 'external_id',
      name: 'Full name',
      email: 'E-mail',
      phone: 'Phone',
      country: 'country',
    });
    expect(guessMapping(['Číslo zákazníka', 'Jméno', 'E-mail', 'Telefon', 'Země', 'PSČ'])).toEqual({
      externalId: 'Číslo zákazníka',
      name: 'Jméno',
      email: 'E-mail',
      phone: 'Telefon',
      country: 'Země',
      postalCode: 'PSČ',
    });
    expect(guessMapping(['رقم العميل', 'الاسم', 'الهاتف', 'المدينة'])).toEqual({
      externalId: 'رقم العميل',
      name: 'الاسم',
      phone: 'الهاتف',
      locality: 'المدينة',
    });
  });

  it('prefers the field’s own name to a common one, and reads a column for one field only', () => {
    expect(guessMapping(['id', 'externalId', 'mail', 'email'])).toEqual({
      externalId: 'externalId',
      email: 'email',
    });
    expect(guessMapping(['ID', 'note'])).toEqual({ externalId: 'ID' });
    expect(guessMapping(['reference', 'notes'])).toEqual({});
  });

  it('completes a chosen mapping: what is chosen stays, a column chosen is not guessed again, and "" stays unread', () => {
    expect(completeMapping({ name: 'email', phone: '' }, ['external_id', 'email', 'phone'])).toEqual({
      externalId: 'external_id',
      name: 'email',
      phone: '',
    });
  });
});
