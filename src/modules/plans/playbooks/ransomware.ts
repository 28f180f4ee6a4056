import { hours, type Playbook, type PlaybookTask } from '../plan-model.js';

/** Ransomware runs the malware plan; these are the tasks it adds (see playbooks/index.ts). */
export const ransomwareTasks: PlaybookTask[] = [
  {
    key: 'rw-ransom-note',
    phase: 'detection',
    owner: 'commander',
    dueAfterMinutes: hours(1),
    title: {
      en: 'Preserve the ransom note and do not engage',
      cs: 'Zajistit výkupní vzkaz a nekomunikovat s útočníky',
      ar: 'حفظ مذكرة الفدية وعدم التواصل مع المهاجمين',
    },
    description: {
      en: 'Photograph and keep the ransom note, the contact address and any leak-site link. Nobody contacts the attackers or talks about payment until management and the legal lead have decided; if contact is made, one appointed person makes it and every exchange is recorded.',
      cs: 'Vyfoťte a uschovejte výkupní vzkaz, kontaktní adresu a případný odkaz na web s uniklými daty. Nikdo útočníky nekontaktuje ani nejedná o platbě, dokud nerozhodne vedení s vedoucím pro právní otázky; pokud ke kontaktu dojde, vede ho jedna pověřená osoba a každá výměna se zaznamenává.',
      ar: 'صوّر مذكرة الفدية واحتفظ بها مع عنوان التواصل وأي رابط لموقع التسريب. لا يتواصل أحد مع المهاجمين ولا يتحدث عن الدفع قبل أن تقرر الإدارة مع المسؤول القانوني؛ وإن تقرر التواصل، يتولاه شخص واحد مكلَّف ويُسجَّل كل تبادل.',
    },
  },
  {
    key: 'rw-backups',
    phase: 'containment',
    owner: 'admin',
    dueAfterMinutes: hours(1),
    title: {
      en: 'Protect the backups',
      cs: 'Ochránit zálohy',
      ar: 'حماية النسخ الاحتياطية',
    },
    description: {
      en: 'Disconnect backup systems from the network, suspend jobs that could overwrite good copies with encrypted ones, and change the backup administrators’ credentials. Confirm that at least one offline or immutable copy is intact.',
      cs: 'Odpojte zálohovací systémy od sítě, pozastavte úlohy, které by mohly přepsat dobré kopie zašifrovanými, a změňte přihlašovací údaje správců záloh. Ověřte, že alespoň jedna offline nebo neměnná kopie zůstala nedotčená.',
      ar: 'افصل أنظمة النسخ الاحتياطي عن الشبكة، وأوقف المهام التي قد تستبدل النسخ السليمة بنسخ مشفّرة، وغيّر بيانات دخول مسؤولي النسخ الاحتياطي. تأكّد من سلامة نسخة واحدة على الأقل غير متصلة بالشبكة أو غير قابلة للتعديل.',
    },
  },
  {
    key: 'rw-directory',
    phase: 'containment',
    owner: 'admin',
    dueAfterMinutes: hours(4),
    title: {
      en: 'Take back control of the directory',
      cs: 'Převzít zpět kontrolu nad adresářovou službou',
      ar: 'استعادة السيطرة على خدمة الدليل',
    },
    description: {
      en: 'Ransomware operators usually hold domain administrator rights. Disable the accounts they used, reset every privileged password, reset the Kerberos krbtgt account twice, and look for the accounts, group policies and scheduled tasks they created.',
      cs: 'Provozovatelé ransomwaru obvykle mají práva doménového administrátora. Zablokujte účty, které použili, změňte všechna privilegovaná hesla, dvakrát resetujte účet krbtgt protokolu Kerberos a vyhledejte účty, zásady skupiny a naplánované úlohy, které vytvořili.',
      ar: 'غالبًا ما يمتلك مشغّلو برمجيات الفدية صلاحيات مسؤول النطاق. عطّل الحسابات التي استخدموها، وغيّر كل كلمات المرور ذات الصلاحيات العليا، وأعد تعيين حساب krbtgt الخاص ببروتوكول Kerberos مرتين، وابحث عن الحسابات وسياسات المجموعات والمهام المجدولة التي أنشؤوها.',
    },
  },
  {
    key: 'rw-strain',
    phase: 'detection',
    owner: 'incident_manager',
    dueAfterMinutes: hours(8),
    title: {
      en: 'Identify the ransomware strain',
      cs: 'Určit kmen ransomwaru',
      ar: 'تحديد سلالة برمجية الفدية',
    },
    description: {
      en: 'Identify the strain from the ransom note and the names of encrypted files (for example with ID Ransomware), and check No More Ransom for a free decryptor before anyone considers paying.',
      cs: 'Určete kmen podle výkupního vzkazu a názvů zašifrovaných souborů (například službou ID Ransomware) a dříve, než kdokoli začne zvažovat platbu, zkontrolujte na No More Ransom, zda neexistuje bezplatný dešifrátor.',
      ar: 'حدّد السلالة من مذكرة الفدية وأسماء الملفات المشفّرة (مثلًا بخدمة ID Ransomware)، وابحث في موقع No More Ransom عن أداة فك تشفير مجانية قبل أن يفكّر أحد في الدفع.',
    },
  },
  {
    key: 'rw-extortion',
    phase: 'detection',
    owner: 'legal_lead',
    dueAfterMinutes: hours(24),
    kind: 'legal_review',
    title: {
      en: 'Assess double extortion and the ransom decision',
      cs: 'Posoudit dvojí vydírání a rozhodnutí o výkupném',
      ar: 'تقييم الابتزاز المزدوج وقرار الفدية',
    },
    description: {
      en: 'Find out whether data was stolen before encryption (the attackers’ leak site, evidence of exfiltration). If personal data was taken, start the data-breach obligations. Any discussion of paying needs the legal lead: sanctions screening of the recipients, the insurer’s consent, and a report to the police.',
      cs: 'Zjistěte, zda byla data před zašifrováním ukradena (web útočníků s uniklými daty, stopy odesílání dat). Pokud byly odcizeny osobní údaje, zahajte povinnosti při úniku dat. Jakékoli úvahy o platbě vyžadují vedoucího pro právní otázky: prověření příjemců vůči sankčním seznamům, souhlas pojistitele a oznámení policii.',
      ar: 'تحقّق مما إذا كانت البيانات قد سُرقت قبل التشفير (موقع التسريب الخاص بالمهاجمين، وأدلة نقل البيانات إلى الخارج). إذا أُخذت بيانات شخصية فابدأ بتنفيذ التزامات خرق البيانات. وأي نقاش حول الدفع يستلزم المسؤول القانوني: فحص المستفيدين مقابل قوائم العقوبات، وموافقة شركة التأمين، وإبلاغ الشرطة.',
    },
  },
  {
    key: 'rw-report',
    phase: 'detection',
    owner: 'legal_lead',
    dueAfterMinutes: hours(48),
    title: {
      en: 'Report to the police and the national CSIRT',
      cs: 'Oznámit útok policii a národnímu týmu CSIRT',
      ar: 'إبلاغ الشرطة والفريق الوطني للاستجابة لطوارئ الحاسوب',
    },
    description: {
      en: 'Report the attack to the police and to the national CSIRT (in the Czech Republic NÚKIB or CSIRT.CZ): they may hold decryption keys or intelligence on the group. Record the case numbers in the timeline.',
      cs: 'Oznamte útok policii a národnímu týmu CSIRT (v Česku NÚKIB nebo CSIRT.CZ): mohou mít dešifrovací klíče nebo informace o skupině. Čísla případů zaznamenejte na časovou osu.',
      ar: 'أبلغ الشرطة والفريق الوطني للاستجابة لطوارئ الحاسوب (CSIRT) عن الهجوم، فقد تكون لديهم مفاتيح فك التشفير أو معلومات عن المجموعة المهاجمة. دوّن أرقام البلاغات في التسلسل الزمني للحادث.',
    },
  },
  {
    key: 'rw-restore-order',
    phase: 'recovery',
    owner: 'commander',
    dueAfterMinutes: hours(48),
    title: {
      en: 'Agree the order of restoration',
      cs: 'Dohodnout pořadí obnovy',
      ar: 'الاتفاق على ترتيب الاستعادة',
    },
    description: {
      en: 'With the business owners, rank services by how much their outage hurts customers and restore them in that order, into a network already cleaned, from backups checked for the ransomware and its persistence.',
      cs: 'S vlastníky byznysu seřaďte služby podle toho, jak moc jejich výpadek poškozuje zákazníky, a v tomto pořadí je obnovujte do již vyčištěné sítě ze záloh prověřených na ransomware a jeho perzistenci.',
      ar: 'رتّب الخدمات مع أصحاب الأعمال بحسب مقدار الضرر الذي يلحقه توقفها بالعملاء، واستعدها بهذا الترتيب إلى شبكة تم تنظيفها مسبقًا، ومن نسخ احتياطية فُحصت للتأكد من خلوّها من برمجية الفدية وآليات بقائها.',
    },
  },
];

export const ransomware: Omit<Playbook, 'tasks'> = {
  type: 'ransomware',
  extends: 'malware',
  name: { en: 'Ransomware', cs: 'Ransomware', ar: 'برمجيات الفدية' },
  summary: {
    en: 'The malware plan and the tasks ransomware adds: protecting backups, the ransom decision, double extortion and the order of restoration.',
    cs: 'Plán pro škodlivý software a úkoly, které přidává ransomware: ochrana záloh, rozhodnutí o výkupném, dvojí vydírání a pořadí obnovy.',
    ar: 'خطة البرمجيات الخبيثة مع المهام التي تضيفها برمجيات الفدية: حماية النسخ الاحتياطية، وقرار الفدية، والابتزاز المزدوج، وترتيب الاستعادة.',
  },
};
