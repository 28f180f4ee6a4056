import { T } from '../i18n';
import { CopyButton } from '../ui/actions';

/** A file name as one shell word: quoted unless it is plain. */
const shellWord = (word: string) =>
  /^[\w./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;

/** The same import from the server's command line, with this organization's id filled in. */
export function ImportCliBox({ organizationId, fileName }: { organizationId: string; fileName?: string }) {
  const command = `candor customers import --org ${organizationId} ${shellWord(fileName ?? 'customers.csv')}`;
  return (
    <aside className="import-cli" aria-labelledby="import-cli-title" data-testid="import-cli">
      <h3 id="import-cli-title">
        <T id="app.import.cli.title" />
      </h3>
      <p className="field-hint">
        <T id="app.import.cli.hint" />
      </p>
      <div className="secret-row">
        <code className="secret" data-testid="import-cli-command" dir="ltr">
          {command}
        </code>
        <CopyButton text={command} />
      </div>
      <p className="field-hint">
        <T id="app.import.cli.organization" values={{ id: organizationId }} />
      </p>
    </aside>
  );
}
