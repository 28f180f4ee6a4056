import type { Locale } from '../../../platform/i18n.js';
import { INCIDENT_TYPES, type IncidentType } from '../../incidents/index.js';
import type { PlanTask, Playbook } from '../plan-model.js';
import { dataBreach } from './data-breach.js';
import { denialOfService } from './denial-of-service.js';
import { malware } from './malware.js';
import { other } from './other.js';
import { phishing } from './phishing.js';
import { ransomware, ransomwareTasks } from './ransomware.js';
import { socialEngineering } from './social-engineering.js';

// Stable: tasks due at the same time keep the order their playbook gives them.
const byDue = (tasks: Playbook['tasks']) => [...tasks].sort((a, b) => a.dueAfterMinutes - b.dueAfterMinutes);

/** The built-in playbook of every incident type, tasks in order of their due offsets. */
export const PLAYBOOKS: Record<IncidentType, Playbook> = {
  phishing: { ...phishing, tasks: byDue(phishing.tasks) },
  malware: { ...malware, tasks: byDue(malware.tasks) },
  ransomware: { ...ransomware, tasks: byDue([...malware.tasks, ...ransomwareTasks]) },
  denial_of_service: { ...denialOfService, tasks: byDue(denialOfService.tasks) },
  social_engineering: { ...socialEngineering, tasks: byDue(socialEngineering.tasks) },
  data_breach: { ...dataBreach, tasks: byDue(dataBreach.tasks) },
  other: { ...other, tasks: byDue(other.tasks) },
};

export const PLAYBOOK_LIST: Playbook[] = INCIDENT_TYPES.map((type) => PLAYBOOKS[type]);

export interface LocalizedPlaybook {
  type: IncidentType;
  extends: IncidentType | null;
  name: string;
  summary: string;
  locale: Locale;
  tasks: PlanTask[];
}

/** A playbook in one language: what an organization copies, and what a plan check reads. */
export function localizePlaybook(playbook: Playbook, locale: Locale): LocalizedPlaybook {
  return {
    type: playbook.type,
    extends: playbook.extends ?? null,
    name: playbook.name[locale],
    summary: playbook.summary[locale],
    locale,
    tasks: playbook.tasks.map((task) => ({
      key: task.key,
      title: task.title[locale],
      description: task.description[locale],
      phase: task.phase,
      owner: task.owner,
      dueAfterMinutes: task.dueAfterMinutes,
      kind: task.kind ?? null,
      clock: task.clock ?? null,
    })),
  };
}
