import { useTranslation } from 'react-i18next';
import { currentLang } from '../../i18n';
import { pick } from '../../public/halls/common/format';
import type { Catalogue, ServiceItem } from '../../public/halls/common/types';

/** 服务前指导 (POL-16): each item with the documents to bring, the fee and the time, by category. */
export function ServiceGuide({ catalogue, items }: { catalogue: Catalogue; items: ServiceItem[] }) {
  const { t } = useTranslation();
  const lang = currentLang();
  return (
    <div className="halls-guide">
      {catalogue.categories.map((category) => {
        const inCategory = items.filter((item) => item.category === category.id);
        if (inCategory.length === 0) return null;
        return (
          <section key={category.id} aria-label={pick(category.names, lang)} className="halls-guide-category">
            <h3 className="halls-guide-heading">{pick(category.names, lang)}</h3>
            {inCategory.map((item) => (
              <details key={item.id} className="halls-guide-item" data-testid={`guide-${item.id}`}>
                <summary>{pick(item.names, lang)}</summary>
                <h4>{t('halls.guide.documents')}</h4>
                <ul>
                  {item.documents.map((document) => (
                    <li key={document.id}>{pick(document.names, lang)}</li>
                  ))}
                </ul>
                <dl className="halls-facts">
                  <div>
                    <dt>{t('halls.guide.fee')}</dt>
                    <dd>
                      {item.feeYuan === '0.00' ? t('halls.guide.free') : t('halls.guide.yuan', { amount: item.feeYuan })}
                      {item.feeNote ? `（${pick(item.feeNote, lang)}）` : ''}
                    </dd>
                  </div>
                  <div>
                    <dt>{t('halls.guide.windowTime')}</dt>
                    <dd>{t('halls.guide.minutes', { count: item.windowMinutes })}</dd>
                  </div>
                  {item.completion && (
                    <div>
                      <dt>{t('halls.guide.completion')}</dt>
                      <dd>{pick(item.completion, lang)}</dd>
                    </div>
                  )}
                  <div>
                    <dt>{t('halls.guide.halls')}</dt>
                    <dd>{t('halls.guide.hallCount', { count: item.halls.length })}</dd>
                  </div>
                </dl>
              </details>
            ))}
          </section>
        );
      })}
    </div>
  );
}
