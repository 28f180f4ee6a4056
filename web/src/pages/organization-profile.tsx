import { useState, type ChangeEvent } from 'react';
import {
  LOGO_MAX_BYTES,
  MIN_BRAND_CONTRAST,
  contrastWithWhite,
  e164,
} from '../../../src/modules/accounts/organization-model';
import { apiError, del, get, put, requestHeaders } from '../api';
import { LANGUAGE_NAMES, LOCALES, T, useRegionName, useT, type Locale } from '../i18n';
import { ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, CheckboxField, Form, SelectField, TextField, SaveFooter } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { Section } from '../ui/layout';

/** How the organization describes itself: brand, support contact and DPO (the settings form's part). */
export interface OrganizationProfileFields {
  brandColor: string | null;
  logoUrl: string | null;
  supportEmail: string | null;
  supportPhone: string | null;
  supportHours: Partial<Record<Locale, string>>;
  dpoName: string | null;
  dpoEmail: string | null;
  dpoPhone: string | null;
}

const COLOR = /^#[0-9A-Fa-f]{6}$/;

/** What the server would refuse, said before it is sent; undefined when all is well. */
export function profileProblem(form: OrganizationProfileFields): 'color' | 'contrast' | 'phone' | undefined {
  const color = form.brandColor?.trim();
  if (color && !COLOR.test(color)) return 'color';
  if (color && contrastWithWhite(color) < MIN_BRAND_CONTRAST) return 'contrast';
  for (const phone of [form.supportPhone, form.dpoPhone]) if (phone?.trim() && !e164(phone)) return 'phone';
  return undefined;
}

/** The body the settings form sends for these fields: empty text clears a field. */
export const profileBody = (form: OrganizationProfileFields) => ({
  brandColor: form.brandColor?.trim() ?? null,
  supportEmail: form.supportEmail?.trim() ?? null,
  supportPhone: form.supportPhone?.trim() ?? null,
  supportHours: form.supportHours,
  dpoName: form.dpoName?.trim() ?? null,
  dpoEmail: form.dpoEmail?.trim() ?? null,
  dpoPhone: form.dpoPhone?.trim() ?? null,
});

export function ProfileFields<F extends OrganizationProfileFields>({
  form,
  setForm,
}: {
  form: F;
  setForm(form: F): void;
}) {
  const t = useT();
  const set = (patch: Partial<OrganizationProfileFields>) => setForm({ ...form, ...patch });
  const color = form.brandColor?.trim() ?? '';
  const ratio = COLOR.test(color) ? contrastWithWhite(color) : undefined;
  return (
    <>
      <fieldset className="fieldset">
        <legend>
          <T id="app.organization.brand" />
        </legend>
        <TextField
          label={<T id="app.organization.brandColor" />}
          hint={<T id="app.organization.brandColor.hint" />}
          name="brand-color"
          dir="ltr"
          maxLength={7}
          value={form.brandColor ?? ''}
          onChange={(event) => set({ brandColor: event.target.value })}
        />
        {ratio !== undefined && (
          // The one colour only known at run time: the organization's own.
          <p style={{ backgroundColor: color, color: '#fff', padding: '0.5rem 0.75rem' }}>
            <T id="app.organization.brandColor.sample" />
          </p>
        )}
        {color && ratio === undefined && (
          <Notice tone="warning">
            <p>
              <T id="app.organization.brandColor.invalid" />
            </p>
          </Notice>
        )}
        {ratio !== undefined && ratio < MIN_BRAND_CONTRAST && (
          <Notice tone="warning">
            <p>
              <T id="app.organization.brandColor.lowContrast" values={{ ratio: ratio.toFixed(1) }} />
            </p>
          </Notice>
        )}
      </fieldset>
      <fieldset className="fieldset">
        <legend>
          <T id="app.organization.support" />
        </legend>
        <p className="field-hint">
          <T id="app.organization.support.intro" />
        </p>
        <EmailAndPhone
          who="support"
          email={form.supportEmail}
          phone={form.supportPhone}
          onChange={(email, phone) => set({ supportEmail: email, supportPhone: phone })}
        />
        {LOCALES.map((locale) => (
          <TextField
            key={locale}
            label={<T id="app.organization.supportHours" values={{ language: t(LANGUAGE_NAMES[locale]) }} />}
            hint={<T id="app.organization.supportHours.hint" />}
            name={`support-hours-${locale}`}
            lang={locale}
            dir={locale === 'ar' ? 'rtl' : 'ltr'}
            maxLength={200}
            value={form.supportHours[locale] ?? ''}
            onChange={(event) =>
              set({ supportHours: { ...form.supportHours, [locale]: event.target.value } })
            }
          />
        ))}
      </fieldset>
      <fieldset className="fieldset">
        <legend>
          <T id="app.organization.dpo" />
        </legend>
        <p className="field-hint">
          <T id="app.organization.dpo.intro" />
        </p>
        <TextField
          label={<T id="app.organization.dpoName" />}
          name="dpo-name"
          maxLength={200}
          value={form.dpoName ?? ''}
          onChange={(event) => set({ dpoName: event.target.value })}
        />
        <EmailAndPhone
          who="dpo"
          email={form.dpoEmail}
          phone={form.dpoPhone}
          onChange={(email, phone) => set({ dpoEmail: email, dpoPhone: phone })}
        />
      </fieldset>
    </>
  );
}

/** A contact's e-mail and phone (the support desk's, the DPO's), the phone checked as typed. */
function EmailAndPhone({
  who,
  email,
  phone,
  onChange,
}: {
  who: 'support' | 'dpo';
  email: string | null;
  phone: string | null;
  onChange(email: string | null, phone: string | null): void;
}) {
  return (
    <>
      <TextField
        label={<T id={`app.organization.${who}Email`} />}
        name={`${who}-email`}
        type="email"
        dir="ltr"
        maxLength={254}
        value={email ?? ''}
        onChange={(event) => onChange(event.target.value, phone)}
      />
      <TextField
        label={<T id={`app.organization.${who}Phone`} />}
        hint={
          <T
            id={
              phone?.trim() && !e164(phone) ? 'app.organization.phone.invalid' : 'app.organization.phone.hint'
            }
          />
        }
        name={`${who}-phone`}
        type="tel"
        dir="ltr"
        maxLength={32}
        value={phone ?? ''}
        onChange={(event) => onChange(email, event.target.value)}
      />
    </>
  );
}

const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

/** The logo: uploaded as the raw file (the server reads its bytes, not its name), shown, removable. */
export function LogoSection({
  logoUrl,
  name,
  onChanged,
}: {
  logoUrl: string | null;
  name: string;
  onChanged(): void;
}) {
  const t = useT();
  const [local, setLocal] = useState<'tooLarge' | 'wrongType'>();
  const [saved, setSaved] = useState(false);
  const { run, pending, error } = useAction();

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    setSaved(false);
    setLocal(undefined);
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type)) return setLocal('wrongType');
    if (file.size > LOGO_MAX_BYTES) return setLocal('tooLarge');
    const done = await run(async () => {
      const response = await fetch('/api/organization/logo', {
        method: 'PUT',
        headers: { ...requestHeaders('PUT'), 'content-type': file.type },
        credentials: 'same-origin',
        body: file,
      });
      if (!response.ok) throw apiError(response.status, await response.text());
      return true;
    });
    if (done) {
      setSaved(true);
      onChanged();
    }
  }

  async function remove() {
    setSaved(false);
    const removed = await run(async () => {
      await del('/api/organization/logo');
      return true;
    });
    if (removed) onChanged();
  }

  return (
    <Section title={<T id="app.organization.logo" />} intro={<T id="app.organization.logo.intro" />}>
      {logoUrl ? (
        <p>
          <img src={logoUrl} alt={t('app.organization.logo.alt', { name })} height={64} />
        </p>
      ) : (
        <p className="muted">
          <T id="app.organization.logo.none" />
        </p>
      )}
      <TextField
        label={<T id="app.organization.logo.file" />}
        name="logo"
        type="file"
        accept={LOGO_TYPES.join(',')}
        disabled={pending}
        onChange={(event) => void choose(event)}
      />
      {local && (
        <Notice tone="warning">
          <p>
            <T
              id={local === 'tooLarge' ? 'app.organization.logo.tooLarge' : 'app.organization.logo.wrongType'}
            />
          </p>
        </Notice>
      )}
      <ErrorNotice error={error} />
      {saved && (
        <Notice tone="success">
          <p>
            <T id="app.organization.logo.saved" />
          </p>
        </Notice>
      )}
      {logoUrl && (
        <Button variant="ghost" pending={pending} onClick={() => void remove()}>
          <T id="app.organization.logo.remove" />
        </Button>
      )}
    </Section>
  );
}

/** The deadline engine's organization profile (/api/organization/deadline-profile), as it is. */
interface DeadlineProfile {
  leadAuthority: string | null;
  secRegistrant: boolean;
  hipaaCovered: boolean;
  nis2Entity: boolean | null;
  czRegulated: boolean | null;
  /** A UAE financial free zone with its own data protection law, where the organization is established. */
  establishedIn?: string[];
  /** Fields this form does not show are sent back as they came. */
  [other: string]: unknown;
}

/** The EEA countries, whose authorities can lead under the GDPR (as src/modules/deadlines/deadline-calendar.ts). */
const EEA = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IS IE IT LV LI LT LU MT NL NO PL PT RO SK SI ES SE'.split(
  ' ',
);

const triState = (value: boolean | null) => (value === null ? '' : String(value));
const fromTriState = (value: string) => (value === '' ? null : value === 'true');

/** Who the organization is under the law: the deadline engine decides from this which clocks apply. */
export function RegulatoryProfile() {
  const t = useT();
  const regionName = useRegionName();
  const loaded = useLoad(() => get<DeadlineProfile>('/api/organization/deadline-profile'));
  const [edited, setForm] = useState<DeadlineProfile>();
  const form = edited ?? loaded.data;
  const [saved, setSaved] = useState(false);
  const { run, pending, error } = useAction();

  async function submit() {
    if (!form) return;
    setSaved(false);
    const updated = await run(() => put<DeadlineProfile>('/api/organization/deadline-profile', form));
    if (updated) {
      setForm(updated);
      setSaved(true);
    }
  }

  const set = (patch: Partial<DeadlineProfile>) => form && setForm({ ...form, ...patch });
  const options = (
    <>
      <option value="">{t('app.organization.regulatory.unstated')}</option>
      <option value="true">{t('app.organization.regulatory.yes')}</option>
      <option value="false">{t('app.organization.regulatory.no')}</option>
    </>
  );
  const countries = EEA.map((code) => [code, regionName(code)] as const).sort((a, b) =>
    a[1].localeCompare(b[1]),
  );

  return (
    <Section
      title={<T id="app.organization.regulatory" />}
      intro={<T id="app.organization.regulatory.intro" />}
    >
      <ErrorNotice error={loaded.error} />
      {!form ? (
        loaded.loading && <Loading />
      ) : (
        <Form onSubmit={submit} className="form-narrow">
          <SelectField
            label={<T id="app.organization.regulatory.lead" />}
            hint={<T id="app.organization.regulatory.lead.hint" />}
            name="lead-authority"
            value={form.leadAuthority ?? ''}
            onChange={(event) => set({ leadAuthority: event.target.value || null })}
          >
            <option value="">{t('app.organization.regulatory.lead.none')}</option>
            {countries.map(([code, name]) => (
              <option key={code} value={code}>
                {name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label={<T id="app.organization.regulatory.nis2" />}
            name="nis2-entity"
            value={triState(form.nis2Entity)}
            onChange={(event) => set({ nis2Entity: fromTriState(event.target.value) })}
          >
            {options}
          </SelectField>
          <SelectField
            label={<T id="app.organization.regulatory.cz" />}
            name="cz-regulated"
            value={triState(form.czRegulated)}
            onChange={(event) => set({ czRegulated: fromTriState(event.target.value) })}
          >
            {options}
          </SelectField>
          <SelectField
            label={<T id="app.organization.regulatory.freeZone" />}
            hint={<T id="app.organization.regulatory.freeZone.hint" />}
            name="free-zone"
            value={form.establishedIn?.[0] ?? ''}
            onChange={(event) => set({ establishedIn: event.target.value ? [event.target.value] : [] })}
          >
            <option value="">{t('app.organization.regulatory.freeZone.none')}</option>
            <option value="AE-DIFC">{t('app.organization.regulatory.freeZone.difc')}</option>
            <option value="AE-ADGM">{t('app.organization.regulatory.freeZone.adgm')}</option>
          </SelectField>
          <CheckboxField
            label={<T id="app.organization.regulatory.sec" />}
            checked={form.secRegistrant}
            onChange={(event) => set({ secRegistrant: event.target.checked })}
          />
          <CheckboxField
            label={<T id="app.organization.regulatory.hipaa" />}
            checked={form.hipaaCovered}
            onChange={(event) => set({ hipaaCovered: event.target.checked })}
          />
          <SaveFooter
            error={error}
            saved={saved}
            savedMessage="app.organization.regulatory.saved"
            pending={pending}
            label="app.organization.regulatory.save"
          />
        </Form>
      )}
    </Section>
  );
}
