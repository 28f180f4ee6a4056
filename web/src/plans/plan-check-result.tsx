import { T } from '../i18n';
import { Instant } from '../incidents/fields';
import { Notice } from '../ui/feedback';

/** What the server's check of a plan (or playbook) found. */
export interface Check {
  ok: boolean;
  lastExercisedAt: string | null;
  flags: { code: string; taskKey: string | null; message: string }[];
}

/** The check's flags, or that there are none, and when the plan was last exercised. */
export function CheckResult({ check }: { check: Check | undefined }) {
  if (!check) return null;
  return (
    <div data-testid="plan-check">
      {check.ok ? (
        <Notice tone="success">
          <p className="notice-title">
            <T id="plan.check.ok" />
          </p>
        </Notice>
      ) : (
        <Notice tone="warning">
          <p className="notice-title">
            <T id="app.plans.check.flags" values={{ count: check.flags.length }} />
          </p>
          <ul className="check-list">
            {check.flags.map((flag, index) => (
              <li key={`${flag.code}-${index}`} className="check-item" data-code={flag.code}>
                {flag.message}
              </li>
            ))}
          </ul>
        </Notice>
      )}
      <p className="muted">
        {check.lastExercisedAt ? (
          <T id="app.plans.lastExercised" values={{ time: <Instant value={check.lastExercisedAt} /> }} />
        ) : (
          <T id="app.plans.neverExercised" />
        )}
      </p>
    </div>
  );
}
