import { days, hours, type Playbook } from '../plan-model.js';
import { evidence, oobChannel, planUpdate, review, roles, supportBriefing } from './common.js';

export const socialEngineering: Playbook = {
  type: 'social_engineering',
  name: { en: 'Social engineering', cs: 'Sociální inženýrství', ar: 'الهندسة الاجتماعية' },
  summary: {
    en: 'For manipulation of people (pretexting, CEO fraud, fake support calls) to obtain access, data or money.',
    cs: 'Pro manipulaci s lidmi (smyšlené záminky, podvody „jménem ředitele“, falešné hovory podpory) s cílem získat přístup, data nebo peníze.',
    ar: 'للتلاعب بالأشخاص (الذرائع الملفقة، واحتيال انتحال صفة المدير، ومكالمات الدعم المزيفة) للحصول على وصول أو بيانات أو أموال.',
  },
  tasks: [
    oobChannel,
    roles,
    {
      key: 'se-payment',
      phase: 'containment',
      owner: 'commander',
      dueAfterMinutes: hours(1),
      title: {
        en: 'Stop and recall any payment',
        cs: 'Zastavit a vymáhat zpět případnou platbu',
        ar: 'إيقاف أي دفعة واسترجاعها',
      },
      description: {
        en: 'If money was sent, call the bank at once to stop or recall the transfer (the first hours decide whether it can be recovered) and file a fraud report with the bank and the police.',
        cs: 'Pokud odešly peníze, okamžitě volejte bance, aby převod zastavila nebo vyžádala zpět (o tom, zda se peníze podaří získat, rozhodují první hodiny), a podejte oznámení o podvodu bance i policii.',
        ar: 'إذا أُرسلت أموال، فاتصل بالبنك فورًا لإيقاف التحويل أو استرجاعه (فالساعات الأولى هي التي تحدد إمكانية استرداده)، وقدّم بلاغ احتيال إلى البنك والشرطة.',
      },
    },
    {
      key: 'se-warn-staff',
      phase: 'containment',
      owner: 'incident_manager',
      dueAfterMinutes: hours(2),
      title: {
        en: 'Warn staff to verify requests',
        cs: 'Upozornit zaměstnance, ať ověřují požadavky',
        ar: 'تنبيه الموظفين إلى التحقق من الطلبات',
      },
      description: {
        en: 'Tell staff, through a channel the attacker does not control, what the approach looks like, and that any request for a payment, credentials or a change of details is confirmed by calling back a number we already know, never the one in the message.',
        cs: 'Kanálem, který útočník neovládá, popište zaměstnancům, jak přístup útočníka vypadá, a že každý požadavek na platbu, přihlašovací údaje nebo změnu údajů se ověřuje zpětným voláním na číslo, které už známe, nikdy na číslo ze zprávy.',
        ar: 'أخبر الموظفين، عبر قناة لا يسيطر عليها المهاجم، بالشكل الذي يتخذه أسلوبه، وبأن أي طلب لدفعة مالية أو لبيانات دخول أو لتغيير بيانات يُتحقَّق منه بمعاودة الاتصال برقم نعرفه مسبقًا، وليس أبدًا بالرقم الوارد في الرسالة.',
      },
    },
    {
      key: 'se-accounts',
      phase: 'containment',
      owner: 'admin',
      dueAfterMinutes: hours(2),
      title: {
        en: 'Lock down the access that was given away',
        cs: 'Uzavřít přístup, který byl vyzrazen',
        ar: 'إغلاق الوصول الذي تم كشفه',
      },
      description: {
        en: 'Reset every password, code or MFA method the attacker learned or had reset through the helpdesk, revoke sessions, and check for changed payment details, phone numbers or e-mail addresses in our systems and at our mobile operator (SIM swap).',
        cs: 'Změňte každé heslo, kód nebo metodu vícefázového ověření, které útočník zjistil nebo si nechal přes helpdesk resetovat, zrušte relace a zkontrolujte změny platebních údajů, telefonních čísel a e-mailových adres v našich systémech i u mobilního operátora (výměna SIM).',
        ar: 'غيّر كل كلمة مرور أو رمز أو وسيلة مصادقة متعددة العوامل عرفها المهاجم أو أعاد تعيينها عبر مكتب المساعدة، وألغِ الجلسات، وتحقّق من أي تغيير في بيانات الدفع أو أرقام الهواتف أو عناوين البريد في أنظمتنا ولدى مشغّل الهاتف المحمول (استبدال شريحة SIM).',
      },
    },
    {
      key: 'se-reconstruct',
      phase: 'detection',
      owner: 'incident_manager',
      dueAfterMinutes: hours(4),
      title: {
        en: 'Reconstruct what the attacker obtained',
        cs: 'Zrekonstruovat, co útočník získal',
        ar: 'إعادة بناء ما حصل عليه المهاجم',
      },
      description: {
        en: 'Talk to the people who were approached: who contacted them, through which channel, posing as whom, and what they disclosed, changed or paid. Collect the call records, messages and tickets involved.',
        cs: 'Promluvte s lidmi, na které se útočník obrátil: kdo je kontaktoval, jakým kanálem, za koho se vydával a co prozradili, změnili nebo zaplatili. Shromážděte související záznamy hovorů, zprávy a tikety.',
        ar: 'تحدّث مع الأشخاص الذين تواصل معهم المهاجم: من تواصل معهم، وعبر أي قناة، ومنتحلًا صفة من، وما الذي كشفوه أو غيّروه أو دفعوه. اجمع سجلات المكالمات والرسائل والتذاكر ذات الصلة.',
      },
    },
    evidence,
    {
      key: 'se-customers',
      phase: 'containment',
      owner: 'communications_lead',
      dueAfterMinutes: hours(24),
      kind: 'customer_communication',
      title: {
        en: 'Warn customers if the attacker poses as us',
        cs: 'Varovat zákazníky, pokud se útočník vydává za nás',
        ar: 'تحذير العملاء إن كان المهاجم ينتحل صفتنا',
      },
      description: {
        en: 'If the attacker contacts customers in our name (fake support calls, fake invoices), warn customers on the channels they know, say how we really contact them and what we never ask for, and give them a way to report suspicious contact.',
        cs: 'Pokud útočník kontaktuje zákazníky naším jménem (falešné hovory podpory, falešné faktury), varujte zákazníky kanály, které znají, řekněte jim, jak je skutečně kontaktujeme a co po nich nikdy nechceme, a dejte jim možnost podezřelý kontakt nahlásit.',
        ar: 'إذا تواصل المهاجم مع العملاء باسمنا (مكالمات دعم مزيفة، فواتير مزيفة)، فحذّر العملاء عبر القنوات التي يعرفونها، وأخبرهم كيف نتواصل معهم فعلًا وما الذي لا نطلبه منهم أبدًا، ووفّر لهم وسيلة للإبلاغ عن أي تواصل مشبوه.',
      },
    },
    {
      key: 'se-report',
      phase: 'detection',
      owner: 'legal_lead',
      dueAfterMinutes: hours(24),
      kind: 'legal_review',
      title: {
        en: 'Report the fraud and notify the insurer',
        cs: 'Oznámit podvod a informovat pojistitele',
        ar: 'الإبلاغ عن الاحتيال وإخطار شركة التأمين',
      },
      description: {
        en: 'Report the fraud to the police, notify the crime or cyber insurer within the policy’s terms, and decide with the commander whether personal data was disclosed, which would make this a data breach.',
        cs: 'Oznamte podvod policii, v termínech podle pojistné smlouvy informujte pojistitele (pojištění proti podvodu nebo kybernetickým rizikům) a s velitelem rozhodněte, zda byly vyzrazeny osobní údaje; pak jde o únik dat.',
        ar: 'أبلغ الشرطة عن الاحتيال، وأخطر شركة التأمين ضد الجرائم أو المخاطر السيبرانية ضمن المهل المحددة في الوثيقة، وقرّر مع قائد الحادث ما إذا كانت بيانات شخصية قد كُشفت، مما يجعل الحادث خرقًا للبيانات.',
      },
    },
    supportBriefing,
    {
      key: 'se-controls',
      phase: 'post_incident',
      owner: 'incident_manager',
      dueAfterMinutes: days(30),
      title: {
        en: 'Close the gap in the procedure',
        cs: 'Uzavřít mezeru v postupech',
        ar: 'سدّ الثغرة في الإجراءات',
      },
      description: {
        en: 'Change the procedure the attacker exploited: dual approval for payments and for changes of bank details, call-back verification, identity checks before helpdesk resets, and training built on this case.',
        cs: 'Změňte postup, který útočník zneužil: schvalování plateb a změn bankovních údajů dvěma osobami, ověřování zpětným voláním, kontrola totožnosti před resetem na helpdesku a školení postavené na tomto případu.',
        ar: 'غيّر الإجراء الذي استغله المهاجم: موافقة شخصين على الدفعات وعلى تغيير البيانات المصرفية، والتحقق بمعاودة الاتصال، والتحقق من الهوية قبل أي إعادة تعيين في مكتب المساعدة، وتدريب مبني على هذه الحالة.',
      },
    },
    review,
    planUpdate,
  ],
};
