import { useTranslation } from 'react-i18next';
import { ApiError, problemMessage } from '../shared/api';

/** Mobile error banner for a failed API call: plain-language message plus any per-field problems. */
export function ProblemAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const fieldErrors = error instanceof ApiError ? error.errors : [];
  return (
    <div role="alert" className="citizen-problem">
      <p className="citizen-problem-title">{problemMessage(error, t)}</p>
      {fieldErrors.length > 0 && (
        <>
          <p className="citizen-problem-lead">{t('errors.fieldErrors')}</p>
          <ul>
            {fieldErrors.map((fe, i) => (
              <li key={`${fe.field}-${i}`}>{fe.message}</li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
