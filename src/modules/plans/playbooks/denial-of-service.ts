import { days, hours, minutes, type Playbook } from '../plan-model.js';
import {
  evidence,
  legalReview,
  oobChannel,
  planUpdate,
  progressUpdate,
  review,
  roles,
  supportBriefing,
} from './common.js';

export const denialOfService: Playbook = {
  type: 'denial_of_service',
  name: { en: 'Denial of service', cs: 'Odepření služby (DoS)', ar: 'هجوم حجب الخدمة' },
  summary: {
    en: 'For floods of traffic that make our website, API or network unavailable to real users.',
    cs: 'Pro záplavy provozu, které znepřístupní náš web, API nebo síť skutečným uživatelům.',
    ar: 'لموجات الحركة الكثيفة التي تجعل موقعنا أو واجهتنا البرمجية أو شبكتنا غير متاحة للمستخدمين الحقيقيين.',
  },
  tasks: [
    oobChannel,
    roles,
    {
      key: 'dos-confirm',
      phase: 'detection',
      owner: 'incident_manager',
      dueAfterMinutes: minutes(30),
      title: {
        en: 'Confirm the attack and its vector',
        cs: 'Potvrdit útok a jeho vektor',
        ar: 'تأكيد الهجوم وتحديد أسلوبه',
      },
      description: {
        en: 'Rule out a faulty release, a capacity problem or a legitimate peak of traffic. Identify the vector (volumetric, protocol or application layer), the targets and the sources, and record the traffic figures.',
        cs: 'Vylučte chybné nasazení, nedostatek kapacity nebo legitimní špičku provozu. Určete vektor (objemový, protokolový nebo na aplikační vrstvě), cíle a zdroje a zaznamenejte údaje o provozu.',
        ar: 'استبعد أن يكون السبب إصدارًا معيبًا أو نقصًا في السعة أو ذروة مشروعة في الحركة. حدّد أسلوب الهجوم (حجمي أو على مستوى البروتوكول أو على مستوى التطبيق) والأهداف والمصادر، ودوّن أرقام حركة البيانات.',
      },
    },
    {
      key: 'dos-status',
      phase: 'containment',
      owner: 'communications_lead',
      dueAfterMinutes: hours(1),
      kind: 'customer_communication',
      title: {
        en: 'Tell customers the service is disrupted',
        cs: 'Oznámit zákazníkům výpadek služby',
        ar: 'إبلاغ العملاء بتعطّل الخدمة',
      },
      description: {
        en: 'Post on the status page and in the trust center that the service is disrupted, what still works, that we are working on it and when the next update comes. Say that no data was affected only once that has been confirmed.',
        cs: 'Na stavové stránce a v centru důvěry oznamte, že služba má výpadek, co stále funguje, že na tom pracujeme a kdy přijde další informace. Že data zasažena nebyla, uveďte až poté, co se to potvrdí.',
        ar: 'انشر في صفحة الحالة وفي مركز الثقة أن الخدمة متعطّلة، وما الذي لا يزال يعمل، وأننا نعمل على الحل، وموعد التحديث القادم. لا تقل إن البيانات لم تتأثر إلا بعد التأكد من ذلك.',
      },
    },
    {
      key: 'dos-provider',
      phase: 'containment',
      owner: 'admin',
      dueAfterMinutes: hours(1),
      title: {
        en: 'Engage the provider’s DDoS response',
        cs: 'Zapojit ochranu proti DDoS u poskytovatele',
        ar: 'تفعيل خدمة الاستجابة لهجمات حجب الخدمة لدى المزوّد',
      },
      description: {
        en: 'Call the DDoS line of the internet, hosting or CDN provider using the number in the out-of-band contact list, turn on scrubbing or the under-attack mode, and ask for the attack traffic to be filtered upstream.',
        cs: 'Zavolejte na linku pro DDoS u poskytovatele připojení, hostingu nebo CDN podle čísla ze seznamu náhradních kontaktů, zapněte čištění provozu nebo režim pod útokem a požádejte o filtrování útočného provozu už u poskytovatele.',
        ar: 'اتصل بخط الطوارئ الخاص بهجمات حجب الخدمة لدى مزوّد الإنترنت أو الاستضافة أو شبكة توصيل المحتوى مستخدمًا الرقم الوارد في قائمة جهات الاتصال البديلة، وفعّل تنقية الحركة أو وضع الحماية من الهجوم، واطلب تصفية حركة الهجوم قبل وصولها إلينا.',
      },
    },
    {
      key: 'dos-filter',
      phase: 'containment',
      owner: 'admin',
      dueAfterMinutes: hours(2),
      title: {
        en: 'Filter the attack and protect what matters most',
        cs: 'Odfiltrovat útok a ochránit to nejdůležitější',
        ar: 'تصفية الهجوم وحماية الأهم',
      },
      description: {
        en: 'Apply rate limits, WAF rules matching the attack’s signature, and geographic or network blocks where they spare real users; move critical services behind the protection and scale out what cannot be filtered.',
        cs: 'Nasaďte omezení četnosti požadavků, pravidla WAF podle signatury útoku a blokace podle zemí nebo sítí tam, kde nezasáhnou skutečné uživatele; kritické služby přesuňte za ochranu a to, co odfiltrovat nejde, rozšiřte o další kapacitu.',
        ar: 'طبّق حدودًا لمعدل الطلبات وقواعد جدار حماية تطبيقات الويب (WAF) المطابقة لبصمة الهجوم، وحظرًا جغرافيًا أو حسب الشبكات حيث لا يضر المستخدمين الحقيقيين، وانقل الخدمات الحيوية خلف الحماية، ووسّع سعة ما لا يمكن تصفيته.',
      },
    },
    evidence,
    {
      key: 'dos-diversion',
      phase: 'detection',
      owner: 'incident_manager',
      dueAfterMinutes: hours(4),
      title: {
        en: 'Check that the attack is not a diversion',
        cs: 'Ověřit, že útok neslouží jako zástěrka',
        ar: 'التحقق من أن الهجوم ليس غطاءً لهجوم آخر',
      },
      description: {
        en: 'Attackers use floods to hide intrusions. Review authentication logs, security alerts and administrative changes made during the attack for anything unusual.',
        cs: 'Útočníci záplavy provozu používají k zakrytí průniku. Projděte logy přihlášení, bezpečnostní upozornění a administrativní změny z doby útoku a hledejte cokoli neobvyklého.',
        ar: 'يستخدم المهاجمون موجات الحركة لإخفاء عمليات الاختراق. راجع سجلات المصادقة والتنبيهات الأمنية والتغييرات الإدارية التي جرت أثناء الهجوم بحثًا عن أي شيء غير معتاد.',
      },
    },
    {
      key: 'dos-extortion',
      phase: 'detection',
      owner: 'legal_lead',
      dueAfterMinutes: hours(4),
      kind: 'legal_review',
      title: {
        en: 'Handle any ransom demand',
        cs: 'Naložit s případným požadavkem na výkupné',
        ar: 'التعامل مع أي طلب فدية',
      },
      description: {
        en: 'If the attack comes with a ransom demand, do not reply or pay; keep the message, report it to the police and the national CSIRT, and review the service-level commitments that the outage affects.',
        cs: 'Pokud útok doprovází požadavek na výkupné, neodpovídejte a neplaťte; zprávu uschovejte, oznamte ji policii a národnímu týmu CSIRT a posuďte smluvní závazky úrovně služeb, kterých se výpadek týká.',
        ar: 'إذا صاحب الهجوم طلب فدية فلا ترد ولا تدفع؛ احتفظ بالرسالة، وأبلغ عنها الشرطة والفريق الوطني للاستجابة لطوارئ الحاسوب، وراجع التزامات مستوى الخدمة التي يؤثر فيها التعطّل.',
      },
    },
    legalReview,
    supportBriefing,
    progressUpdate,
    {
      key: 'dos-resilience',
      phase: 'post_incident',
      owner: 'admin',
      dueAfterMinutes: days(14),
      title: {
        en: 'Strengthen resilience against DDoS',
        cs: 'Posílit odolnost proti DDoS',
        ar: 'تعزيز القدرة على الصمود أمام هجمات حجب الخدمة',
      },
      description: {
        en: 'Make the protection used during the incident permanent, confirm contracts and escalation numbers with providers, and test the failover of critical services.',
        cs: 'Ochranu použitou během incidentu zaveďte natrvalo, ověřte s poskytovateli smlouvy a eskalační čísla a otestujte přepnutí kritických služeb na záložní provoz.',
        ar: 'اجعل الحماية التي استُخدمت أثناء الحادث دائمة، وتحقّق مع المزوّدين من العقود وأرقام التصعيد، واختبر التحويل إلى الأنظمة الاحتياطية للخدمات الحيوية.',
      },
    },
    review,
    planUpdate,
  ],
};
