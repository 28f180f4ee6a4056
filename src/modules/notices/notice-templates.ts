import type { IncidentType } from '../incidents/index.js';
import type { GuidanceContent } from '../lookup/index.js';
import { NOTICE_LOCALES, type NoticeLocale, type NoticePart } from './notice-contracts.js';
import type { NoticeContent, NoticeLocaleContent } from './notice-model.js';

/**
 * Built-in notices per incident type in en, cs and ar. In the spirit of the source texts: tell
 * customers first and directly, say what happened, what it means for THEIR data, what we did and
 * what they should do; apologise and take responsibility, without minimising words.
 */

type Common = Omit<NoticeLocaleContent['parts'], 'what_happened' | 'where_to_get_help'> & {
  subject: string;
  sms: string;
  help: { support: string; lookup: string; none: string; contact: string; dpo: string };
  money: string;
};

const COMMON: Record<NoticeLocale, Common> = {
  en: {
    subject: 'Important: a security incident involving your data at {organization}',
    sms: '{organization}: a security incident affected your data ({categories}). We sent you the details by e-mail. Verify this message: {verifyUrl} code {verificationCode}',
    acknowledgement:
      'Dear {name}, we are writing to tell you directly about a security incident at {organization} that involved your personal data. We want you to hear it from us first.',
    apology:
      'We are sorry. Keeping your data safe is our responsibility, and this time we did not do it well enough. We take full responsibility and apologise for the worry and trouble this causes you.',
    your_data: 'The incident affected these data of yours: {categories} ({categoryCount} in all).',
    what_we_did:
      'As soon as we found out, we stopped the incident, started an investigation with security specialists and informed the competent authorities where the law requires it. We will keep you informed.',
    what_you_should_do:
      'Be careful with e-mails, text messages and calls that claim to be from us: do not follow their links and never give out passwords or payment details. If you used the same password elsewhere, change it there.',
    how_to_verify:
      'To check that this message really comes from us, enter the code {verificationCode} at {verifyUrl}. We will never ask you for your password, card number or codes by e-mail, text message or phone.',
    help: {
      support: 'If you have any questions, we are here for you: {supportUrl}.',
      lookup: 'You can also check whether and how you were affected at {lookupUrl}.',
      none: 'If you have any questions, please contact our customer support; we are here for you.',
      contact: 'You can reach our customer support at {supportContact}.',
      dpo: 'For questions about your personal data, you can also contact our data protection officer: {dpoContact}.',
    },
    money: 'Watch the movements on your accounts and report anything suspicious to your bank.',
  },
  cs: {
    subject: 'Důležité: bezpečnostní incident, který se týká vašich údajů u {organization}',
    sms: '{organization}: bezpečnostní incident se týká vašich údajů ({categories}). Podrobnosti jsme vám poslali e-mailem. Ověření: {verifyUrl} kód {verificationCode}',
    acknowledgement:
      'Dobrý den, {name}, píšeme vám přímo, protože u {organization} došlo k bezpečnostnímu incidentu, který se týká vašich osobních údajů. Chceme, abyste se to dozvěděli nejdřív od nás.',
    apology:
      'Omlouváme se vám. Ochrana vašich údajů je naší odpovědností a tentokrát jsme ji nezvládli dostatečně. Přebíráme za to plnou odpovědnost a mrzí nás starosti a potíže, které vám to působí.',
    your_data: 'Incident se týká těchto vašich údajů: {categories} (celkem {categoryCount}).',
    what_we_did:
      'Hned jak jsme se o incidentu dozvěděli, zastavili jsme ho, zahájili vyšetřování se specialisty na bezpečnost a tam, kde to vyžaduje zákon, jsme informovali příslušné úřady. Budeme vás průběžně informovat.',
    what_you_should_do:
      'Buďte opatrní u e-mailů, SMS a telefonátů, které se za nás vydávají: neklikejte na odkazy v nich a nikomu nesdělujte hesla ani platební údaje. Pokud jste stejné heslo použili i jinde, změňte ho tam.',
    how_to_verify:
      'Abyste si ověřili, že tato zpráva je opravdu od nás, zadejte kód {verificationCode} na stránce {verifyUrl}. Nikdy vás nebudeme žádat o heslo, číslo karty ani kódy e-mailem, SMS ani telefonem.',
    help: {
      support: 'Máte-li jakékoli otázky, jsme tu pro vás: {supportUrl}.',
      lookup: 'Zda a jak se vás incident týká, si můžete ověřit také na {lookupUrl}.',
      none: 'Máte-li jakékoli otázky, obraťte se prosím na naši zákaznickou podporu; jsme tu pro vás.',
      contact: 'Naši zákaznickou podporu můžete kontaktovat takto: {supportContact}.',
      dpo: 'S otázkami ohledně svých osobních údajů se můžete obrátit také na našeho pověřence pro ochranu osobních údajů: {dpoContact}.',
    },
    money: 'Sledujte pohyby na svých účtech a cokoli podezřelého nahlaste své bance.',
  },
  ar: {
    subject: 'هام: حادث أمني يتعلق ببياناتك لدى {organization}',
    sms: '{organization}: حادث أمني طال بياناتك ({categories}). أرسلنا إليك التفاصيل بالبريد الإلكتروني. للتحقق: {verifyUrl} الرمز {verificationCode}',
    acknowledgement:
      'مرحبًا {name}، نكتب إليك مباشرةً لنبلغك بوقوع حادث أمني لدى {organization} طال بياناتك الشخصية. أردنا أن تسمع ذلك منا أولًا.',
    apology:
      'نعتذر إليك. حماية بياناتك مسؤوليتنا، ولم نقم بها هذه المرة كما ينبغي. نتحمل المسؤولية كاملةً ونأسف لما يسببه لك ذلك من قلق وإزعاج.',
    your_data: 'طال الحادث هذه البيانات الخاصة بك: {categories} (المجموع: {categoryCount}).',
    what_we_did:
      'فور علمنا بالحادث أوقفناه، وبدأنا تحقيقًا مع مختصين في الأمن، وأبلغنا الجهات المختصة حيثما يقتضي القانون ذلك. وسنواصل إطلاعك على المستجدات.',
    what_you_should_do:
      'احذر من الرسائل الإلكترونية والنصية والمكالمات التي تدّعي أنها منا: لا تفتح الروابط الواردة فيها ولا تشارك كلمات المرور أو بيانات الدفع مع أحد. إذا كنت تستخدم كلمة المرور نفسها في مكان آخر فغيّرها هناك.',
    how_to_verify:
      'للتأكد من أن هذه الرسالة مرسلة منا فعلًا، أدخل الرمز {verificationCode} في الصفحة {verifyUrl}. لن نطلب منك أبدًا كلمة المرور أو رقم البطاقة أو أي رموز عبر البريد الإلكتروني أو الرسائل النصية أو الهاتف.',
    help: {
      support: 'إذا كانت لديك أي أسئلة فنحن هنا من أجلك: {supportUrl}.',
      lookup: 'ويمكنك أيضًا التحقق مما إذا كنت متأثرًا وكيف عبر {lookupUrl}.',
      none: 'إذا كانت لديك أي أسئلة فتواصل مع فريق دعم العملاء لدينا؛ نحن هنا من أجلك.',
      contact: 'يمكنك التواصل مع فريق دعم العملاء لدينا عبر: {supportContact}.',
      dpo: 'وللاستفسار عن بياناتك الشخصية يمكنك أيضًا التواصل مع مسؤول حماية البيانات لدينا: {dpoContact}.',
    },
    money: 'راقب حركة حساباتك وأبلغ مصرفك عن أي نشاط مريب.',
  },
};

const HAPPENED: Record<IncidentType, Record<NoticeLocale, string>> = {
  phishing: {
    en: 'On {incidentDate}, attackers sent fraudulent messages to our staff and used them to get into some of our systems.',
    cs: 'Dne {incidentDate} útočníci poslali našim zaměstnancům podvodné zprávy a jejich prostřednictvím se dostali do některých našich systémů.',
    ar: 'في {incidentDate} أرسل مهاجمون رسائل احتيالية إلى موظفينا واستخدموها للدخول إلى بعض أنظمتنا.',
  },
  malware: {
    en: 'On {incidentDate}, we found malicious software on some of our systems that could read the data stored there.',
    cs: 'Dne {incidentDate} jsme v některých našich systémech našli škodlivý software, který mohl číst data v nich uložená.',
    ar: 'في {incidentDate} اكتشفنا برمجيات خبيثة على بعض أنظمتنا كان بإمكانها قراءة البيانات المخزنة فيها.',
  },
  ransomware: {
    en: 'On {incidentDate}, attackers encrypted some of our systems, and before that they may have copied data from them.',
    cs: 'Dne {incidentDate} útočníci zašifrovali některé naše systémy a předtím z nich mohli zkopírovat data.',
    ar: 'في {incidentDate} قام مهاجمون بتشفير بعض أنظمتنا، وربما نسخوا بيانات منها قبل ذلك.',
  },
  denial_of_service: {
    en: 'On {incidentDate}, an attack flooded our services, and for a while they were unavailable or unreliable.',
    cs: 'Dne {incidentDate} útok zahltil naše služby a po určitou dobu byly nedostupné nebo nespolehlivé.',
    ar: 'في {incidentDate} أغرق هجومٌ خدماتنا بالطلبات، فتعطلت أو لم تعمل بشكل موثوق لبعض الوقت.',
  },
  social_engineering: {
    en: 'On {incidentDate}, someone posing as a trusted person persuaded a member of our staff to give them access to customer data.',
    cs: 'Dne {incidentDate} se někdo vydával za důvěryhodnou osobu a přiměl jednoho z našich zaměstnanců, aby mu zpřístupnil údaje zákazníků.',
    ar: 'في {incidentDate} انتحل شخص صفة جهة موثوقة وأقنع أحد موظفينا بمنحه الوصول إلى بيانات العملاء.',
  },
  data_breach: {
    en: 'On {incidentDate}, an unauthorised person got into a database that holds customer data.',
    cs: 'Dne {incidentDate} získala neoprávněná osoba přístup k databázi, ve které jsou uloženy údaje zákazníků.',
    ar: 'في {incidentDate} تمكن شخص غير مصرح له من الوصول إلى قاعدة بيانات تحتوي على بيانات العملاء.',
  },
  other: {
    en: 'On {incidentDate}, we discovered a security incident in our systems that involved customer data.',
    cs: 'Dne {incidentDate} jsme v našich systémech odhalili bezpečnostní incident, který se týká údajů zákazníků.',
    ar: 'في {incidentDate} اكتشفنا حادثًا أمنيًا في أنظمتنا يتعلق ببيانات العملاء.',
  },
};

/** Types where the data may be used for fraud: advice to watch accounts. */
const MONEY_ADVICE: readonly IncidentType[] = [
  'malware',
  'ransomware',
  'data_breach',
  'phishing',
  'social_engineering',
];

export interface TemplateContext {
  type: IncidentType;
  /** The incident's approved public guidance, when it has one. */
  guidance?: GuidanceContent | null;
  hasSupportUrl: boolean;
  hasLookupUrl: boolean;
  /** The organization's settings name a support contact ({supportContact}). */
  hasSupportContact?: boolean;
  /** The organization's settings name a data protection officer ({dpoContact}). */
  hasDpoContact?: boolean;
}

/** A first draft for an incident: the built-in text, with the approved public guidance where it exists. */
export function templateFor(context: TemplateContext): NoticeContent {
  const content = {} as NoticeContent;
  for (const locale of NOTICE_LOCALES) {
    const c = COMMON[locale];
    const guidance = context.guidance?.[locale];
    const fromGuidance = (text: string | undefined, fallback: string) =>
      text?.trim() ? text.trim() : fallback;
    const help = [
      context.hasSupportUrl ? c.help.support : c.help.none,
      ...(context.hasSupportContact ? [c.help.contact] : []),
      ...(context.hasLookupUrl ? [c.help.lookup] : []),
      ...(context.hasDpoContact ? [c.help.dpo] : []),
    ].join(' ');
    const advice = MONEY_ADVICE.includes(context.type)
      ? `${c.what_you_should_do} ${c.money}`
      : c.what_you_should_do;
    const parts: Record<NoticePart, string> = {
      acknowledgement: c.acknowledgement,
      apology: c.apology,
      what_happened: fromGuidance(guidance?.happened, HAPPENED[context.type][locale]),
      your_data: c.your_data,
      what_we_did: fromGuidance(guidance?.done, c.what_we_did),
      what_you_should_do: fromGuidance(guidance?.advice, advice),
      where_to_get_help: help,
      how_to_verify: c.how_to_verify,
    };
    content[locale] = { subject: c.subject, sms: c.sms, parts };
  }
  return content;
}
