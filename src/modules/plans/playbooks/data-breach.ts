import { days, hours, type Playbook } from '../plan-model.js';
import { evidence, oobChannel, planUpdate, progressUpdate, review, roles } from './common.js';

export const dataBreach: Playbook = {
  type: 'data_breach',
  name: { en: 'Data breach', cs: 'Únik dat', ar: 'خرق البيانات' },
  summary: {
    en: 'For unauthorised access to or disclosure of personal data: scope, risk assessment, notification of the authority and of the people affected, and support for them.',
    cs: 'Pro neoprávněný přístup k osobním údajům nebo jejich vyzrazení: rozsah, posouzení rizika, ohlášení úřadu a oznámení dotčeným lidem a podpora pro ně.',
    ar: 'للوصول غير المصرّح به إلى البيانات الشخصية أو الكشف عنها: تحديد النطاق، وتقييم المخاطر، وإخطار السلطة الرقابية والأشخاص المتأثرين، ودعمهم.',
  },
  tasks: [
    oobChannel,
    roles,
    {
      key: 'db-stop',
      phase: 'containment',
      owner: 'incident_manager',
      dueAfterMinutes: hours(2),
      title: {
        en: 'Stop the leak',
        cs: 'Zastavit únik',
        ar: 'إيقاف التسرّب',
      },
      description: {
        en: 'Close the exposure: restrict the open storage or endpoint, revoke leaked keys and credentials, block the attacker’s access, and confirm that data is no longer leaving.',
        cs: 'Uzavřete místo úniku: omezte přístup k otevřenému úložišti nebo rozhraní, zneplatněte uniklé klíče a přihlašovací údaje, zablokujte útočníkův přístup a ověřte, že data už neodcházejí.',
        ar: 'أغلق مصدر الانكشاف: قيّد الوصول إلى وحدة التخزين أو الواجهة المكشوفة، وألغِ المفاتيح وبيانات الدخول المسرّبة، واحظر وصول المهاجم، وتأكّد من أن البيانات لم تعد تتسرّب.',
      },
    },
    evidence,
    {
      key: 'db-dpo',
      phase: 'detection',
      owner: 'legal',
      dueAfterMinutes: hours(4),
      title: {
        en: 'Inform the data protection officer',
        cs: 'Informovat pověřence pro ochranu osobních údajů',
        ar: 'إبلاغ مسؤول حماية البيانات',
      },
      description: {
        en: 'Tell the data protection officer now and involve them in every decision about the breach, its risk assessment and its notifications.',
        cs: 'Informujte pověřence pro ochranu osobních údajů hned a zapojte ho do všech rozhodnutí o úniku, o posouzení rizika i o oznámeních.',
        ar: 'أبلغ مسؤول حماية البيانات الآن، وأشركه في كل قرار يتعلق بالخرق وبتقييم مخاطره وبالإخطارات المترتبة عليه.',
      },
    },
    {
      key: 'db-scope',
      phase: 'detection',
      owner: 'incident_manager',
      dueAfterMinutes: hours(24),
      title: {
        en: 'Establish whose data was affected, and which data',
        cs: 'Zjistit, čích a jakých údajů se únik týká',
        ar: 'تحديد أصحاب البيانات المتأثرة ونوعها',
      },
      description: {
        en: 'Determine the categories of data (contact details, card data, credentials, identity numbers, health, financial, location), the approximate numbers of people and records, and their countries. Record the data categories and jurisdictions on the incident: they decide which deadline clocks run.',
        cs: 'Určete kategorie údajů (kontaktní údaje, platební karty, přihlašovací údaje, identifikační čísla, zdravotní, finanční a lokalizační údaje), přibližný počet lidí a záznamů a jejich země. Kategorie údajů a jurisdikce zapište k incidentu: určují, které lhůty poběží.',
        ar: 'حدّد فئات البيانات (بيانات الاتصال، بيانات البطاقات، بيانات الدخول، أرقام الهوية، البيانات الصحية والمالية وبيانات الموقع)، والعدد التقريبي للأشخاص والسجلات، وبلدانهم. سجّل فئات البيانات والولايات القضائية في الحادث، فهي التي تحدد المهل الزمنية السارية.',
      },
    },
    {
      key: 'db-early-warning',
      phase: 'detection',
      owner: 'legal_lead',
      // Half a day before the 24-hour clock runs out (task-due.ts CLOCK_MARGIN_MINUTES).
      dueAfterMinutes: hours(12),
      kind: 'regulator_notification',
      clock: 'nis2_early_warning',
      title: {
        en: 'Send the NIS2 early warning where it applies',
        cs: 'Odeslat včasné varování podle NIS2, pokud se uplatní',
        ar: 'إرسال الإنذار المبكر وفق توجيه NIS2 عند انطباقه',
      },
      description: {
        en: 'If the organization is an essential or important entity under NIS2, send the early warning to the CSIRT or competent authority within 24 hours of becoming aware of a significant incident (in the Czech Republic to NÚKIB), saying whether it is suspected to be unlawful or malicious and whether it could have a cross-border impact.',
        cs: 'Pokud je organizace podle NIS2 základním nebo důležitým subjektem, odešlete do 24 hodin od zjištění významného incidentu včasné varování týmu CSIRT nebo příslušnému úřadu (v Česku NÚKIB) s uvedením, zda je incident podezřelý z protiprávního nebo zlovolného jednání a zda může mít přeshraniční dopad.',
        ar: 'إذا كانت المنظمة كيانًا أساسيًا أو مهمًا بموجب توجيه NIS2، فأرسل الإنذار المبكر إلى فريق CSIRT أو السلطة المختصة خلال 24 ساعة من العلم بالحادث الجسيم، مع بيان ما إذا كان يُشتبه في أنه ناتج عن فعل غير مشروع أو خبيث، وما إذا كان قد يكون له أثر عابر للحدود.',
      },
    },
    {
      key: 'db-risk',
      phase: 'detection',
      owner: 'legal_lead',
      dueAfterMinutes: hours(36),
      kind: 'legal_review',
      title: {
        en: 'Assess the risk to the people affected',
        cs: 'Posoudit riziko pro dotčené osoby',
        ar: 'تقييم المخاطر على الأشخاص المتأثرين',
      },
      description: {
        en: 'Assess how likely and how severe the consequences are for the people concerned (identity theft, fraud, discrimination, loss of confidentiality). Record whether the breach must be reported to the authority (GDPR Art. 33) and whether it is a high risk that requires telling the people themselves (Art. 34), with the reasons.',
        cs: 'Posuďte, jak pravděpodobné a jak závažné jsou důsledky pro dotčené osoby (krádež identity, podvod, diskriminace, ztráta důvěrnosti). Zaznamenejte i s odůvodněním, zda je nutné únik ohlásit úřadu (čl. 33 GDPR) a zda jde o vysoké riziko, o kterém je třeba informovat samotné dotčené osoby (čl. 34).',
        ar: 'قيّم مدى احتمال العواقب وخطورتها على الأشخاص المعنيين (سرقة الهوية، الاحتيال، التمييز، فقدان السرية). ودوّن مع الأسباب ما إذا كان يجب إخطار السلطة الرقابية بالخرق (المادة 33 من اللائحة العامة لحماية البيانات)، وما إذا كان يشكّل خطرًا عاليًا يستوجب إبلاغ الأشخاص أنفسهم (المادة 34).',
      },
    },
    {
      key: 'db-support',
      phase: 'containment',
      owner: 'support',
      dueAfterMinutes: hours(48),
      title: {
        en: 'Open the dedicated support line',
        cs: 'Otevřít vyhrazenou linku podpory',
        ar: 'فتح خط دعم مخصّص',
      },
      description: {
        en: 'Before the notices go out, open the incident support desk and the “Was I affected?” page, load the approved answers, and staff the desk for the volume of questions to expect.',
        cs: 'Ještě před odesláním oznámení otevřete podporu k incidentu a stránku „Týká se to mě?“, nahrajte schválené odpovědi a zajistěte obsazení odpovídající očekávanému množství dotazů.',
        ar: 'قبل إرسال الإشعارات، افتح مكتب الدعم الخاص بالحادث وصفحة «هل تأثّرت؟»، وحمّل الإجابات المعتمدة، ووفّر عددًا كافيًا من الموظفين لحجم الأسئلة المتوقع.',
      },
    },
    {
      key: 'db-authority',
      phase: 'detection',
      owner: 'legal_lead',
      // Half a day before the 72-hour clock runs out (task-due.ts CLOCK_MARGIN_MINUTES).
      dueAfterMinutes: hours(60),
      kind: 'regulator_notification',
      clock: 'gdpr_33_authority',
      title: {
        en: 'Notify the supervisory authority',
        cs: 'Ohlásit únik dozorovému úřadu',
        ar: 'إخطار السلطة الرقابية',
      },
      description: {
        en: 'Notify the data protection authority within 72 hours of becoming aware of the breach (GDPR Art. 33; in the Czech Republic ÚOOÚ) with the prefilled report in Candor: the nature of the breach, categories and approximate numbers of people and records, a contact point, likely consequences, and measures taken. If facts are still missing, notify now and complete the report in phases.',
        cs: 'Do 72 hodin od zjištění únik ohlaste dozorovému úřadu (čl. 33 GDPR; v Česku ÚOOÚ) pomocí předvyplněného hlášení v Candoru: povaha porušení, kategorie a přibližný počet dotčených osob a záznamů, kontaktní místo, pravděpodobné důsledky a přijatá opatření. Pokud ještě chybí informace, ohlaste únik hned a hlášení doplňujte postupně.',
        ar: 'أخطر سلطة حماية البيانات خلال 72 ساعة من العلم بالخرق (المادة 33 من اللائحة العامة لحماية البيانات) باستخدام التقرير المعبّأ مسبقًا في Candor: طبيعة الخرق، وفئات الأشخاص والسجلات وأعدادهم التقريبية، وجهة الاتصال، والعواقب المحتملة، والتدابير المتخذة. وإن كانت بعض الحقائق لا تزال ناقصة، فقدّم الإخطار الآن واستكمل التقرير على مراحل.',
      },
    },
    {
      key: 'db-partners',
      phase: 'containment',
      owner: 'legal',
      dueAfterMinutes: hours(72),
      kind: 'legal_review',
      title: {
        en: 'Notify controllers, partners and the insurer',
        cs: 'Informovat správce, partnery a pojistitele',
        ar: 'إخطار المتحكمين بالبيانات والشركاء وشركة التأمين',
      },
      description: {
        en: 'If we process the data for another controller, notify them without undue delay (GDPR Art. 33(2)). Notify card acquirers, partners and the insurer as contracts require, and keep a record of each notice.',
        cs: 'Pokud údaje zpracováváme pro jiného správce, informujte ho bez zbytečného odkladu (čl. 33 odst. 2 GDPR). Podle smluv informujte banky přijímající karty, partnery a pojistitele a o každém oznámení veďte záznam.',
        ar: 'إذا كنا نعالج البيانات لحساب متحكم آخر، فأخطره دون تأخير غير مبرر (المادة 33(2) من اللائحة العامة لحماية البيانات). وأخطر البنوك المستحوذة على البطاقات والشركاء وشركة التأمين وفق ما تقتضيه العقود، واحتفظ بسجل لكل إخطار.',
      },
    },
    {
      key: 'db-notice',
      phase: 'containment',
      owner: 'communications_lead',
      dueAfterMinutes: hours(72),
      kind: 'customer_communication',
      title: {
        en: 'Notify the people affected',
        cs: 'Oznámit únik dotčeným osobám',
        ar: 'إبلاغ الأشخاص المتأثرين',
      },
      description: {
        en: 'Without undue delay, tell each person affected, in their own language, which of their data was affected, what happened, what we have done, what they should do to protect themselves and where to get help, and say plainly that we are sorry. Legal approves the notice before it is sent.',
        cs: 'Bez zbytečného odkladu sdělte každé dotčené osobě v jejím jazyce, kterých jejích údajů se únik týká, co se stalo, co jsme udělali, co má udělat pro svou ochranu a kde najde pomoc, a otevřeně se omluvte. Oznámení před odesláním schvaluje právní oddělení.',
        ar: 'أبلغ كل شخص متأثر، دون تأخير غير مبرر وبلغته، بأيٍّ من بياناته تأثّر، وبما حدث، وبما فعلناه، وبما ينبغي أن يفعله لحماية نفسه، وأين يجد المساعدة، واعتذر له بوضوح. يعتمد الفريق القانوني الإشعار قبل إرساله.',
      },
    },
    {
      key: 'db-protect',
      phase: 'recovery',
      owner: 'incident_manager',
      dueAfterMinutes: hours(96),
      title: {
        en: 'Offer protection to the people affected',
        cs: 'Nabídnout dotčeným osobám ochranu',
        ar: 'توفير الحماية للأشخاص المتأثرين',
      },
      description: {
        en: 'Force password resets where credentials leaked, arrange card reissue with the acquirer and the card brands where card data leaked, and offer credit or identity monitoring where identity data leaked.',
        cs: 'Kde unikly přihlašovací údaje, vynuťte změnu hesel; kde unikly údaje platebních karet, zajistěte s bankou a kartovými společnostmi jejich převydání; kde unikly identifikační údaje, nabídněte sledování úvěrové historie nebo zneužití identity.',
        ar: 'افرض تغيير كلمات المرور حيث تسرّبت بيانات الدخول، ورتّب إعادة إصدار البطاقات مع البنك المستحوذ وشبكات البطاقات حيث تسرّبت بيانات البطاقات، وقدّم خدمة مراقبة الائتمان أو الهوية حيث تسرّبت بيانات الهوية.',
      },
    },
    progressUpdate,
    review,
    {
      key: 'db-register',
      phase: 'post_incident',
      owner: 'legal',
      dueAfterMinutes: days(30),
      title: {
        en: 'Record the breach in the breach register',
        cs: 'Zapsat únik do evidence porušení zabezpečení',
        ar: 'تسجيل الخرق في سجل الخروقات',
      },
      description: {
        en: 'Document the facts of the breach, its effects and the remedial action taken in the internal breach register (GDPR Art. 33(5)), including any decision not to notify and its reasons.',
        cs: 'Do interní evidence porušení zabezpečení (čl. 33 odst. 5 GDPR) zapište skutečnosti o úniku, jeho důsledky a přijatá nápravná opatření, včetně případných rozhodnutí únik neoznamovat a jejich důvodů.',
        ar: 'وثّق في السجل الداخلي للخروقات (المادة 33(5) من اللائحة العامة لحماية البيانات) وقائع الخرق وآثاره والإجراءات التصحيحية المتخذة، بما في ذلك أي قرار بعدم الإخطار وأسبابه.',
      },
    },
    planUpdate,
  ],
};
