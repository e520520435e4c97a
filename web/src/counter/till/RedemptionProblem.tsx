import { Alert } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../shared/api';
import { scopedProblemMessage, showFieldErrors } from '../../shared/redemption';

/**
 * antd error banner for the redemption pages: the message in the words of the page's user (`scope`,
 * e.g. the cashier's), what to do next when there is a hint for the code, and any per-field problems.
 */
export function RedemptionProblem({ error, scope, testId }: { error: unknown; scope: string; testId?: string }) {
  const { t } = useTranslation();
  if (error === null || error === undefined) return null;
  const code = error instanceof ApiError ? error.code : undefined;
  const fieldErrors = error instanceof ApiError && showFieldErrors(error, t, scope) ? error.errors : [];
  const hint = code ? t(`${scope}Next.${code}`, { defaultValue: '' }) : '';
  const description =
    hint || fieldErrors.length > 0 ? (
      <>
        {hint && <p className="redemption-next">{hint}</p>}
        {fieldErrors.length > 0 && (
          <>
            <p className="problem-lead">{t('errors.fieldErrors')}</p>
            <ul className="problem-fields">
              {fieldErrors.map((fe, i) => (
                <li key={`${fe.field}-${i}`}>
                  <code>{fe.field}</code> {fe.message}
                </li>
              ))}
            </ul>
          </>
        )}
      </>
    ) : undefined;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      className="redemption-problem"
      data-testid={testId ?? 'redemption-problem'}
      data-code={code}
      title={scopedProblemMessage(error, t, scope)}
      description={description}
    />
  );
}
