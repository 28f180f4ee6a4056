import { days, hours, type Playbook } from '../plan-model.js';
import { evidence, legalReview, oobChannel, planUpdate, review, roles, supportBriefing } from './common.js';

export const phishing: Playbook = {
  type: 'phishing',
  name: { en: 'Phishing', cs: 'Phishing', ar: 'التصيّد الاحتيالي' },
  summary: {
    en: 'For fraudulent messages that try to steal credentials or plant malware, aimed at our staff or at customers in our name.',
    cs: 'Pro podvodné zprávy, které se snaží vylákat přihlašovací údaje nebo podstrčit škodlivý software, ať míří na naše zaměstnance, nebo naším jménem na zákazníky.',
    ar: 'للرسائل الاحتيالية التي تحاول سرقة بيانات الدخول أو زرع برمجيات خبيثة، سواء استهدفت موظفينا أو استهدفت العملاء باسمنا.',
  },
  tasks: [
    oobChannel,
    roles,
    {
      key: 'phish-sample',
      phase: 'detection',
      owner: 'incident_manager',
      dueAfterMinutes: hours(1),
      title: {
        en: 'Collect the phishing message and its indicators',
        cs: 'Zajistit phishingovou zprávu a její indikátory',
        ar: 'جمع رسالة التصيّد ومؤشراتها',
      },
      description: {
        en: 'Get the original message as a file with full headers (not a forward) and record the sender, reply-to address, links, attachment hashes and sending infrastructure. Use the mail system’s message trace to find everyone who received it and who clicked or replied.',
        cs: 'Získejte původní zprávu jako soubor s úplnými hlavičkami (ne přeposlanou) a zaznamenejte odesílatele, adresu pro odpověď, odkazy, otisky příloh a odesílající infrastrukturu. Pomocí trasování zpráv v poštovním systému zjistěte, kdo všechno zprávu dostal a kdo klikl nebo odpověděl.',
        ar: 'احصل على الرسالة الأصلية كملف بترويساتها الكاملة (لا كرسالة مُعاد توجيهها)، ودوّن المرسل وعنوان الرد والروابط وبصمات المرفقات والبنية التي أُرسلت منها. استخدم تتبّع الرسائل في نظام البريد لمعرفة كل من تلقّاها ومن نقر على روابطها أو ردّ عليها.',
      },
    },
    evidence,
    {
      key: 'phish-purge',
      phase: 'containment',
      owner: 'admin',
      dueAfterMinutes: hours(2),
      title: {
        en: 'Remove the message and block its infrastructure',
        cs: 'Odstranit zprávu a zablokovat její infrastrukturu',
        ar: 'حذف الرسالة وحظر البنية التي تقف خلفها',
      },
      description: {
        en: 'Delete the message from every mailbox that received it, block the sender and look-alike domains at the mail gateway, and block the domains and addresses of its links in DNS filtering and the web proxy.',
        cs: 'Smažte zprávu ze všech schránek, kam dorazila, zablokujte odesílatele a podobně vypadající domény na poštovní bráně a domény a adresy z odkazů ve filtrování DNS a na webové proxy.',
        ar: 'احذف الرسالة من كل صندوق بريد وصلت إليه، واحظر المرسل والنطاقات المشابهة لنطاقنا على بوابة البريد، واحظر نطاقات روابطها وعناوينها في تصفية DNS وفي خادم الوكيل للويب.',
      },
    },
    {
      key: 'phish-accounts',
      phase: 'containment',
      owner: 'admin',
      dueAfterMinutes: hours(4),
      title: {
        en: 'Secure the accounts of people who took the bait',
        cs: 'Zabezpečit účty lidí, kteří se nechali nachytat',
        ar: 'تأمين حسابات من وقعوا في الفخ',
      },
      description: {
        en: 'For everyone who entered credentials or opened an attachment: reset the password, revoke sessions and tokens, review their MFA methods, mailbox forwarding and inbox rules for anything the attacker added, and check their sign-ins since the message arrived.',
        cs: 'U každého, kdo zadal přihlašovací údaje nebo otevřel přílohu: změňte heslo, zrušte relace a tokeny, zkontrolujte metody vícefázového ověření, přeposílání pošty a pravidla schránky, zda je útočník nepřidal, a projděte jeho přihlášení od doby, kdy zpráva dorazila.',
        ar: 'لكل من أدخل بيانات الدخول أو فتح مرفقًا: غيّر كلمة المرور، وألغِ الجلسات والرموز المميزة، وافحص وسائل المصادقة متعددة العوامل وإعادة توجيه البريد وقواعد صندوق الوارد بحثًا عن أي شيء أضافه المهاجم، وراجع عمليات تسجيل الدخول منذ وصول الرسالة.',
      },
    },
    {
      key: 'phish-takedown',
      phase: 'containment',
      owner: 'incident_manager',
      dueAfterMinutes: hours(24),
      title: {
        en: 'Have the phishing site taken down',
        cs: 'Zajistit stažení phishingového webu',
        ar: 'العمل على إزالة موقع التصيّد',
      },
      description: {
        en: 'Report the phishing pages to their hosting provider and domain registrar, to Google Safe Browsing and Microsoft SmartScreen, and to the national CSIRT; ask for takedown and record each report and answer in the timeline.',
        cs: 'Nahlaste phishingové stránky jejich poskytovateli hostingu a registrátorovi domény, službám Google Safe Browsing a Microsoft SmartScreen a národnímu týmu CSIRT; požádejte o stažení a každé hlášení i odpověď zaznamenejte na časovou osu.',
        ar: 'أبلغ عن صفحات التصيّد لدى مزوّد الاستضافة ومسجّل النطاق، وخدمتي Google Safe Browsing وMicrosoft SmartScreen، والفريق الوطني للاستجابة لطوارئ الحاسوب (CSIRT)، واطلب إزالتها، ودوّن كل بلاغ وكل رد في التسلسل الزمني للحادث.',
      },
    },
    {
      key: 'phish-customers',
      phase: 'containment',
      owner: 'communications_lead',
      dueAfterMinutes: hours(24),
      kind: 'customer_communication',
      title: {
        en: 'Warn customers if the phishing pretends to be us',
        cs: 'Varovat zákazníky, pokud se phishing vydává za nás',
        ar: 'تحذير العملاء إن كان التصيّد ينتحل اسمنا',
      },
      description: {
        en: 'If customers receive messages that pretend to come from us, warn them on the channels they already know (website, trust center, our app): show what the fake message looks like, list what we will never ask for, and point them to the page that verifies our messages.',
        cs: 'Pokud zákazníkům chodí zprávy, které se vydávají za naše, varujte je kanály, které už znají (web, centrum důvěry, naše aplikace): ukažte, jak falešná zpráva vypadá, vyjmenujte, co po nich nikdy chtít nebudeme, a odkažte je na stránku, kde si pravost našich zpráv ověří.',
        ar: 'إذا تلقّى العملاء رسائل تدّعي أنها منّا، فحذّرهم عبر القنوات التي يعرفونها (الموقع الإلكتروني، مركز الثقة، تطبيقنا): أرِهم شكل الرسالة المزيفة، واذكر ما لن نطلبه منهم أبدًا، ووجّههم إلى الصفحة التي يتحققون فيها من صحة رسائلنا.',
      },
    },
    supportBriefing,
    legalReview,
    {
      key: 'phish-hunt',
      phase: 'eradication',
      owner: 'incident_manager',
      dueAfterMinutes: hours(48),
      title: {
        en: 'Hunt for follow-on activity',
        cs: 'Vyhledat navazující aktivitu útočníka',
        ar: 'البحث عن أي نشاط لاحق للمهاجم',
      },
      description: {
        en: 'Look for what the attacker did with the access: unusual sign-ins, consent granted to unknown applications, new mailbox rules, internal phishing sent from compromised accounts, data downloaded. If personal data was reached, change the incident to a data breach.',
        cs: 'Zjistěte, co útočník se získaným přístupem udělal: neobvyklá přihlášení, souhlasy udělené neznámým aplikacím, nová pravidla schránek, interní phishing odeslaný z napadených účtů, stažená data. Pokud se dostal k osobním údajům, změňte typ incidentu na únik dat.',
        ar: 'ابحث عمّا فعله المهاجم بالوصول الذي حصل عليه: عمليات دخول غير معتادة، وأذونات مُنحت لتطبيقات مجهولة، وقواعد جديدة في صناديق البريد، ورسائل تصيّد داخلية أُرسلت من حسابات مخترقة، وبيانات تم تنزيلها. إذا وصل إلى بيانات شخصية فغيّر نوع الحادث إلى خرق بيانات.',
      },
    },
    {
      key: 'phish-awareness',
      phase: 'post_incident',
      owner: 'communications',
      dueAfterMinutes: days(14),
      title: {
        en: 'Share the lesson with staff',
        cs: 'Předat poučení zaměstnancům',
        ar: 'مشاركة الدرس مع الموظفين',
      },
      description: {
        en: 'Send staff an anonymised example of the message with the signs that gave it away, thank the people who reported it, and remind everyone how to report the next one.',
        cs: 'Pošlete zaměstnancům anonymizovanou ukázku zprávy se znaky, které ji prozradily, poděkujte těm, kdo ji nahlásili, a připomeňte všem, jak nahlásit tu příští.',
        ar: 'أرسل إلى الموظفين نموذجًا مجهّل الهوية من الرسالة مع العلامات التي كشفتها، واشكر من أبلغوا عنها، وذكّر الجميع بطريقة الإبلاغ عن الرسالة التالية.',
      },
    },
    review,
    planUpdate,
  ],
};
