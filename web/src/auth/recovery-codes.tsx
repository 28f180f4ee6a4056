import { T } from '../i18n';
import { CopyButton } from '../ui/actions';
import { Notice } from '../ui/feedback';
import { Button } from '../ui/form';

/** Recovery codes are shown once: the person must keep them before going on. */
export function RecoveryCodes({ codes, onContinue }: { codes: string[]; onContinue(): void }) {
  return (
    <div className="stack" data-testid="recovery-codes">
      <Notice tone="warning">
        <p className="notice-title">
          <T id="app.recovery.title" />
        </p>
        <p>
          <T id="app.recovery.intro" values={{ count: codes.length }} />
        </p>
      </Notice>
      <ol className="codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div className="row">
        <CopyButton text={codes.join('\n')} label={<T id="app.recovery.copy" />} />
      </div>
      <Button variant="primary" className="button-block" onClick={onContinue}>
        <T id="app.recovery.saved" />
      </Button>
    </div>
  );
}
