import { T, isMessageId, useT } from '../i18n';
import { Notice } from '../ui/feedback';
import type { FileMarkResult } from './model';

/** What an uploaded file marked, and the lines it could not use. */
export function FileResult({ result }: { result: FileMarkResult }) {
  const t = useT();
  return (
    <div data-testid="file-result">
      <Notice tone={result.rejected + result.unmatched > 0 ? 'warning' : 'success'}>
        <p className="notice-title">
          <T
            id="app.affected.file.result"
            values={{
              read: result.read,
              matched: result.matched,
              rejected: result.rejected,
              unmatched: result.unmatched,
            }}
          />
        </p>
        <p>
          <T id="app.affected.marked" values={{ added: result.added, updated: result.updated }} />
        </p>
      </Notice>
      {result.problems.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact" data-testid="file-problems">
            <thead>
              <tr>
                <th scope="col">
                  <T id="app.affected.problem.line" />
                </th>
                <th scope="col">
                  <T id="app.affected.problem.column" />
                </th>
                <th scope="col">
                  <T id="app.affected.problem.reason" />
                </th>
              </tr>
            </thead>
            <tbody>
              {result.problems.map((p) => {
                const key = `app.affected.problem.${p.reason}`;
                return (
                  <tr key={`${p.line}:${p.reason}`}>
                    <td className="number">{p.line}</td>
                    <td dir="auto">{p.column ?? ''}</td>
                    <td>{isMessageId(key) ? t(key) : p.reason}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
