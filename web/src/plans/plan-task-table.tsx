import { T, useT, type Locale } from '../i18n';
import { Badge } from '../ui/feedback';
import type { PlanTask } from './model';

function useFormatOffset() {
  const t = useT();
  return (minutes: number) =>
    minutes % 1440 === 0 && minutes > 0
      ? t('app.count.days', { count: minutes / 1440 })
      : minutes % 60 === 0
        ? t('app.plans.hours', { count: minutes / 60 })
        : t('app.plans.minutes', { count: minutes });
}

/**
 * A plan's tasks, read-only: phase, owner, how long after awareness each is due and the clock it serves.
 * `locale` is the language the plan is written in, when it may differ from the interface's: its text
 * then keeps its own direction (an English plan reads left to right in the Arabic interface).
 */
export function TaskTable({ tasks, locale }: { tasks: PlanTask[]; locale?: Locale }) {
  const formatOffset = useFormatOffset();
  const written = locale ? { lang: locale, dir: locale === 'ar' ? 'rtl' : 'ltr' } : {};
  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">
              <T id="app.plans.task" />
            </th>
            <th scope="col">
              <T id="app.plans.phase" />
            </th>
            <th scope="col">
              <T id="app.plans.owner" />
            </th>
            <th scope="col">
              <T id="app.plans.dueAfterAwareness" />
            </th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.key}>
              <td>
                <span className="person-name">
                  <span {...written}>{task.title}</span>
                  {task.kind && (
                    <Badge>
                      <T id={`plan.kind.${task.kind}`} />
                    </Badge>
                  )}
                </span>
                <span className="muted plan-task-line" {...written}>
                  {task.description}
                </span>
                {task.clock && (
                  <span className="muted plan-task-line">
                    <T
                      id="app.plans.beforeClock"
                      values={{ clock: <T id={`deadline.rule.${task.clock}`} /> }}
                    />
                  </span>
                )}
              </td>
              <td>
                <T id={`plan.phase.${task.phase}`} />
              </td>
              <td>{task.owner ? <T id={`plan.owner.${task.owner}`} /> : <T id="plan.owner.none" />}</td>
              <td className="nowrap">{formatOffset(task.dueAfterMinutes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
