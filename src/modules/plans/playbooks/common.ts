import { days, hours, minutes, type PlaybookTask } from '../plan-model.js';

/** Tasks every response needs, whatever the threat; each playbook picks those that fit it. */

export const oobChannel: PlaybookTask = {
  key: 'oob-channel',
  phase: 'preparation',
  owner: 'commander',
  dueAfterMinutes: minutes(30),
  kind: 'out_of_band',
  title: {
    en: 'Move the response to the out-of-band channel',
    cs: 'Přesunout řízení incidentu do náhradního komunikačního kanálu',
    ar: 'نقل إدارة الاستجابة إلى قناة الاتصال البديلة',
  },
  description: {
    en: 'Assume the attacker can read company e-mail and chat. Open the channel agreed in the out-of-band contact list (a Signal group, a phone bridge), confirm each responder’s identity by voice, and keep the incident off company e-mail and chat until the commander declares them clean.',
    cs: 'Počítejte s tím, že útočník může číst firemní e-mail i chat. Otevřete kanál dohodnutý v seznamu náhradních kontaktů (skupinu v Signalu, telefonní konferenci), hlasem ověřte totožnost každého člena týmu a o incidentu v e-mailu ani ve firemním chatu nemluvte, dokud je velitel neprohlásí za čisté.',
    ar: 'افترض أن المهاجم يستطيع قراءة البريد الإلكتروني والمحادثات الداخلية للشركة. افتح القناة المتفق عليها في قائمة جهات الاتصال البديلة (مجموعة على Signal أو جسر اتصال هاتفي)، وتحقّق صوتيًا من هوية كل عضو في فريق الاستجابة، ولا تناقش الحادث عبر البريد الإلكتروني أو المحادثات الداخلية حتى يعلن قائد الحادث أنها آمنة.',
  },
};

export const roles: PlaybookTask = {
  key: 'roles',
  phase: 'preparation',
  owner: 'incident_manager',
  dueAfterMinutes: minutes(30),
  title: {
    en: 'Confirm the incident roles and the rhythm of updates',
    cs: 'Potvrdit role v incidentu a rytmus informování',
    ar: 'تأكيد أدوار الاستجابة للحادث ومواعيد التحديثات',
  },
  description: {
    en: 'Name the incident commander, the communications lead and the legal lead on the incident in Candor: tasks owned by these roles go to them. Set the severity, agree when the team meets next and how often management is briefed.',
    cs: 'V Candoru určete u incidentu velitele, vedoucího komunikace a vedoucího pro právní otázky: úkoly těchto rolí připadnou jim. Nastavte závažnost, dohodněte další poradu týmu a jak často bude informováno vedení.',
    ar: 'عيّن في Candor قائد الحادث ومسؤول الاتصال والمسؤول القانوني لهذا الحادث، فالمهام المسندة إلى هذه الأدوار تصل إليهم. حدّد درجة الخطورة، واتفقوا على موعد الاجتماع القادم للفريق وعلى وتيرة إحاطة الإدارة.',
  },
};

export const evidence: PlaybookTask = {
  key: 'evidence',
  phase: 'detection',
  owner: 'incident_manager',
  dueAfterMinutes: hours(2),
  title: {
    en: 'Preserve evidence',
    cs: 'Zajistit důkazy',
    ar: 'حفظ الأدلة',
  },
  description: {
    en: 'Before anything is cleaned, rebuilt or restored, secure what shows what happened: system, network, mail and cloud logs (extend their retention), memory and disk images of affected machines, suspicious messages with full headers. Record who collected what and when (chain of custody) and keep copies where the attacker cannot reach them.',
    cs: 'Dříve než se cokoli vyčistí, přeinstaluje nebo obnoví, zajistěte vše, co ukazuje, co se stalo: systémové, síťové, poštovní a cloudové logy (prodlužte jejich uchovávání), obrazy paměti a disků zasažených strojů, podezřelé zprávy s úplnými hlavičkami. Zaznamenejte, kdo co a kdy zajistil (řetězec úschovy), a kopie uložte tam, kam útočník nedosáhne.',
    ar: 'قبل تنظيف أي شيء أو إعادة بنائه أو استعادته، احفظ كل ما يبيّن ما حدث: سجلات الأنظمة والشبكة والبريد والخدمات السحابية (مع تمديد مدة الاحتفاظ بها)، ونسخًا من الذاكرة والأقراص للأجهزة المتأثرة، والرسائل المشبوهة بترويساتها الكاملة. دوّن من جمع كل دليل ومتى (سلسلة حيازة الأدلة)، واحفظ النسخ في مكان لا يصل إليه المهاجم.',
  },
};

export const legalReview: PlaybookTask = {
  key: 'legal-review',
  phase: 'detection',
  owner: 'legal_lead',
  dueAfterMinutes: hours(24),
  kind: 'legal_review',
  title: {
    en: 'Review legal and contractual obligations',
    cs: 'Posoudit právní a smluvní povinnosti',
    ar: 'مراجعة الالتزامات القانونية والتعاقدية',
  },
  description: {
    en: 'Decide which obligations the incident triggers: notification of a personal data breach (GDPR Art. 33 and 34), cyber-security incident reporting (NIS2 and national law), notices owed to customers and partners under contract, and the insurer’s notification terms. Check the deadline clocks on this incident and record each decision with its reasons.',
    cs: 'Rozhodněte, jaké povinnosti incident zakládá: ohlášení porušení zabezpečení osobních údajů (čl. 33 a 34 GDPR), hlášení kybernetického bezpečnostního incidentu (NIS2 a národní zákon), oznámení, která smlouvy ukládají vůči zákazníkům a partnerům, a podmínky pojistitele. Zkontrolujte lhůty běžící u tohoto incidentu a každé rozhodnutí zaznamenejte i s odůvodněním.',
    ar: 'حدّد الالتزامات التي يترتب عليها الحادث: الإخطار بخرق البيانات الشخصية (المادتان 33 و34 من اللائحة العامة لحماية البيانات)، والإبلاغ عن حوادث الأمن السيبراني (توجيه NIS2 والقوانين الوطنية)، والإشعارات الواجبة للعملاء والشركاء بموجب العقود، وشروط الإخطار لدى شركة التأمين. راجع المهل الزمنية الجارية لهذا الحادث، ودوّن كل قرار مع أسبابه.',
  },
};

export const supportBriefing: PlaybookTask = {
  key: 'support-briefing',
  phase: 'containment',
  owner: 'support',
  dueAfterMinutes: hours(24),
  title: {
    en: 'Prepare the support desk',
    cs: 'Připravit zákaznickou podporu',
    ar: 'تجهيز فريق الدعم',
  },
  description: {
    en: 'Give the support team an approved summary, answers to the questions customers will ask, and where to escalate what they cannot answer. Support confirms only what has been approved, never speculates, and never asks customers for passwords or card numbers.',
    cs: 'Předejte podpoře schválené shrnutí, odpovědi na otázky, které zákazníci položí, a komu předat, na co odpovědět neumí. Podpora potvrzuje jen to, co bylo schváleno, nespekuluje a nikdy po zákaznících nechce hesla ani čísla karet.',
    ar: 'زوّد فريق الدعم بملخص معتمد، وبإجابات عن الأسئلة التي سيطرحها العملاء، وبالجهة التي تُحال إليها الأسئلة التي لا يستطيع الإجابة عنها. لا يؤكد فريق الدعم إلا ما اعتُمد، ولا يخمّن أبدًا، ولا يطلب من العملاء كلمات المرور أو أرقام البطاقات.',
  },
};

export const customerUpdate: PlaybookTask = {
  key: 'customer-update',
  phase: 'containment',
  owner: 'communications_lead',
  dueAfterMinutes: hours(48),
  kind: 'customer_communication',
  title: {
    en: 'Tell customers what happened and what it means for them',
    cs: 'Sdělit zákazníkům, co se stalo a co to pro ně znamená',
    ar: 'إبلاغ العملاء بما حدث وبما يعنيه لهم',
  },
  description: {
    en: 'Agree with the commander and the legal lead whether customers are affected and what to tell them. If they are, tell them before they hear it elsewhere: what happened, what it means for them and their data, what we have done, what they should do and where to get help. Publish it in the trust center in every customer language, approved by legal before it leaves.',
    cs: 'S velitelem a vedoucím pro právní otázky se dohodněte, zda se incident zákazníků týká a co jim sdělit. Pokud ano, řekněte jim to dřív, než se to dozvědí jinde: co se stalo, co to znamená pro ně a jejich údaje, co jsme udělali, co mají udělat oni a kde najdou pomoc. Zveřejněte to v centru důvěry ve všech jazycích zákazníků, se schválením právního oddělení.',
    ar: 'اتفق مع قائد الحادث والمسؤول القانوني على ما إذا كان العملاء متأثرين وعلى ما يجب إبلاغهم به. إن كانوا متأثرين فأبلغهم قبل أن يسمعوا الخبر من غيرنا: ما الذي حدث، وما معناه بالنسبة إليهم وإلى بياناتهم، وما الذي فعلناه، وما الذي ينبغي أن يفعلوه، وأين يجدون المساعدة. انشر ذلك في مركز الثقة بجميع لغات العملاء بعد موافقة الفريق القانوني.',
  },
};

export const progressUpdate: PlaybookTask = {
  key: 'progress-update',
  phase: 'recovery',
  owner: 'communications_lead',
  dueAfterMinutes: days(5),
  kind: 'customer_communication',
  title: {
    en: 'Report progress to customers',
    cs: 'Informovat zákazníky o postupu nápravy',
    ar: 'إطلاع العملاء على التقدّم المُحرَز',
  },
  description: {
    en: 'When service and security are restored, tell customers and subscribers what was fixed and what has changed to prevent a repeat: new procedures, software updates, stronger authentication. Keep the incident page as a permanent, honest record.',
    cs: 'Jakmile jsou služba a zabezpečení obnoveny, sdělte zákazníkům a odběratelům, co bylo opraveno a co se změnilo, aby se incident neopakoval: nové postupy, aktualizace softwaru, silnější ověřování. Stránku incidentu ponechte jako trvalý a poctivý záznam.',
    ar: 'عند استعادة الخدمة والأمان، أخبر العملاء والمشتركين بما تم إصلاحه وبما تغيّر لمنع تكرار الحادث: إجراءات جديدة، وتحديثات للبرمجيات، ومصادقة أقوى. أبقِ صفحة الحادث سجلًا دائمًا وصادقًا.',
  },
};

export const review: PlaybookTask = {
  key: 'review',
  phase: 'post_incident',
  owner: 'commander',
  dueAfterMinutes: days(14),
  title: {
    en: 'Hold a blameless post-incident review',
    cs: 'Provést rozbor incidentu bez hledání viníků',
    ar: 'عقد مراجعة لما بعد الحادث دون إلقاء اللوم',
  },
  description: {
    en: 'Walk through the timeline with everyone involved: what happened, what helped, what slowed the response, which decisions were taken on which information. Agree remediation actions with owners and dates, and publish the review where customers were told about the incident.',
    cs: 'Projděte časovou osu se všemi zúčastněnými: co se stalo, co pomohlo, co reakci zdrželo a jaká rozhodnutí padla na základě jakých informací. Dohodněte nápravná opatření s odpovědnými osobami a termíny a rozbor zveřejněte tam, kde se zákazníci o incidentu dozvěděli.',
    ar: 'راجع التسلسل الزمني مع جميع المشاركين: ما الذي حدث، وما الذي ساعد، وما الذي أبطأ الاستجابة، وأي القرارات اتُّخذت بناءً على أي معلومات. اتفقوا على إجراءات تصحيحية لكلٍّ منها مسؤول وموعد، وانشر المراجعة حيث أُبلغ العملاء بالحادث.',
  },
};

export const planUpdate: PlaybookTask = {
  key: 'plan-update',
  phase: 'post_incident',
  owner: 'incident_manager',
  dueAfterMinutes: days(30),
  title: {
    en: 'Update the plan and schedule the next exercise',
    cs: 'Aktualizovat plán a naplánovat další cvičení',
    ar: 'تحديث الخطة وتحديد موعد التمرين القادم',
  },
  description: {
    en: 'Fold the lessons of the review into this response plan and into the out-of-band contact list (people, numbers and channels that failed), and schedule a tabletop exercise of the plan within the next twelve months.',
    cs: 'Zapracujte poznatky z rozboru do tohoto plánu reakce a do seznamu náhradních kontaktů (lidé, čísla a kanály, které selhaly) a naplánujte cvičení plánu „u stolu“ v příštích dvanácti měsících.',
    ar: 'أدرج الدروس المستفادة من المراجعة في خطة الاستجابة هذه وفي قائمة جهات الاتصال البديلة (الأشخاص والأرقام والقنوات التي لم تنجح)، وحدّد موعدًا لتمرين محاكاة مكتبي على الخطة خلال الاثني عشر شهرًا القادمة.',
  },
};
