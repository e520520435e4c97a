import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, problemMessage } from '../shared/api';

/** antd error banner (role="alert") for a failed API call: plain-language message plus per-field problems. */
export function ProblemAlert({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const fieldErrors = error instanceof ApiError ? error.errors : [];
  const description =
    fieldErrors.length > 0 ? (
      <>
        <p className="problem-lead">{t('errors.fieldErrors')}</p>
        <ul className="problem-fields">
          {fieldErrors.map((fe, i) => (
            <li key={`${fe.field}-${i}`}>{fe.message}</li>
          ))}
        </ul>
      </>
    ) : undefined;
  return <Alert type="error" showIcon role="alert" title={problemMessage(error, t)} description={description} />;
}
