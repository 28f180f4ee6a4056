import { hours, type Playbook } from '../plan-model.js';
import {
  customerUpdate,
  evidence,
  legalReview,
  oobChannel,
  planUpdate,
  progressUpdate,
  review,
  roles,
  supportBriefing,
} from './common.js';

export const other: Playbook = {
  type: 'other',
  name: { en: 'General incident', cs: 'Obecný incident', ar: 'حادث عام' },
  summary: {
    en: 'For incidents of any other kind: triage, containment, eradication, recovery and review.',
    cs: 'Pro incidenty jakéhokoli jiného druhu: třídění, omezení dopadu, odstranění příčiny, obnova a rozbor.',
    ar: 'للحوادث من أي نوع آخر: الفرز، والاحتواء، والإزالة، والتعافي، والمراجعة.',
  },
  tasks: [
    oobChannel,
    roles,
    {
      key: 'triage',
      phase: 'detection',
      owner: 'incident_manager',
      dueAfterMinutes: hours(1),
      title: {
        en: 'Triage and classify the incident',
        cs: 'Roztřídit a zařadit incident',
        ar: 'فرز الحادث وتصنيفه',
      },
      description: {
        en: 'Establish what happened, which systems and which data are involved, and how severe it is. If it turns out to be phishing, malware, ransomware, a denial of service, social engineering or a data breach, change the incident type so that the right deadline clocks apply, and follow that type’s playbook.',
        cs: 'Zjistěte, co se stalo, kterých systémů a údajů se to týká a jak je to závažné. Pokud se ukáže, že jde o phishing, malware, ransomware, odepření služby, sociální inženýrství nebo únik dat, změňte typ incidentu, aby běžely správné lhůty, a postupujte podle plánu pro tento typ.',
        ar: 'حدّد ما الذي حدث، وأي الأنظمة والبيانات معنية، ومدى خطورته. وإن تبيّن أنه تصيّد احتيالي أو برمجية خبيثة أو برمجية فدية أو حجب للخدمة أو هندسة اجتماعية أو خرق للبيانات، فغيّر نوع الحادث لتسري المهل الزمنية الصحيحة، واتبع خطة الاستجابة الخاصة بذلك النوع.',
      },
    },
    evidence,
    {
      key: 'contain',
      phase: 'containment',
      owner: 'incident_manager',
      dueAfterMinutes: hours(4),
      title: {
        en: 'Contain the incident',
        cs: 'Omezit dopad incidentu',
        ar: 'احتواء الحادث',
      },
      description: {
        en: 'Limit the damage with short-term measures suited to the threat: isolate systems, disable accounts, block addresses, switch off affected features. Record every action and its time in the timeline.',
        cs: 'Omezte škody krátkodobými opatřeními odpovídajícími hrozbě: izolujte systémy, zablokujte účty a adresy, vypněte zasažené funkce. Každý krok a jeho čas zaznamenejte na časovou osu.',
        ar: 'حدّ من الضرر بتدابير قصيرة الأمد تناسب التهديد: اعزل الأنظمة، وعطّل الحسابات، واحظر العناوين، وأوقف الميزات المتأثرة. دوّن كل إجراء ووقته في التسلسل الزمني للحادث.',
      },
    },
    legalReview,
    supportBriefing,
    customerUpdate,
    {
      key: 'eradicate',
      phase: 'eradication',
      owner: 'incident_manager',
      dueAfterMinutes: hours(72),
      title: {
        en: 'Remove the cause',
        cs: 'Odstranit příčinu',
        ar: 'إزالة السبب',
      },
      description: {
        en: 'Remove what caused the incident and the weaknesses it used: patches, configuration changes, removed access. Confirm that the cause is gone before recovery begins.',
        cs: 'Odstraňte, co incident způsobilo, i slabiny, které využil: záplaty, změny konfigurace, odebrané přístupy. Než začne obnova, ověřte, že příčina zmizela.',
        ar: 'أزل ما تسبّب في الحادث ونقاط الضعف التي استغلها: تحديثات أمنية، وتغييرات في الإعدادات، وسحب صلاحيات الوصول. تأكّد من زوال السبب قبل بدء التعافي.',
      },
    },
    {
      key: 'recover',
      phase: 'recovery',
      owner: 'admin',
      dueAfterMinutes: hours(96),
      title: {
        en: 'Restore normal operation',
        cs: 'Obnovit běžný provoz',
        ar: 'استعادة التشغيل الطبيعي',
      },
      description: {
        en: 'Bring the affected systems back into service, verify that they work and are clean, and watch them closely for a recurrence.',
        cs: 'Vraťte zasažené systémy do provozu, ověřte, že fungují a jsou čisté, a bedlivě je sledujte, zda se incident neopakuje.',
        ar: 'أعد الأنظمة المتأثرة إلى الخدمة، وتحقّق من أنها تعمل وأنها نظيفة، وراقبها عن كثب تحسّبًا لتكرار الحادث.',
      },
    },
    progressUpdate,
    review,
    planUpdate,
  ],
};
