import { Card, Descriptions, Table, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { useHealth } from '../shared/health';
import { healthText } from '../shared/HealthStatus';
import { CONSOLE_SECTIONS } from './sections';

/** Console home: real platform status from /healthz and the build state of each module; no invented figures. */
export function ConsoleOverview() {
  const { t } = useTranslation();
  const health = useHealth();
  const { status, database } = healthText(health, t);
  const modules = CONSOLE_SECTIONS.filter((s) => s.key !== 'overview');
  return (
    <div className="desktop-page">
      <h1 className="desktop-title">{t('console.overview.title')}</h1>
      <p className="desktop-intro">{t('console.overview.intro')}</p>
      <div className="console-cards">
        <Card title={<h2 className="card-heading">{t('console.overview.status')}</h2>} className="console-status">
          <Descriptions
            column={1}
            items={[
              {
                key: 'api',
                label: t('console.overview.api'),
                children: (
                  <Tag
                    className={health.state === 'ok' ? 'status-badge status-ok' : 'status-badge'}
                    variant="outlined"
                    data-testid="console-api-status"
                  >
                    {status}
                  </Tag>
                ),
              },
              { key: 'db', label: t('console.overview.database'), children: database ?? '—' },
            ]}
          />
        </Card>
        <Card title={<h2 className="card-heading">{t('console.overview.modules')}</h2>}>
          <Table
            size="middle"
            pagination={false}
            rowKey="key"
            dataSource={modules.map((m) => ({ key: m.key, path: m.path, open: m.open }))}
            columns={[
              {
                title: t('console.overview.modules'),
                dataIndex: 'key',
                render: (_: unknown, row: { key: (typeof modules)[number]['key']; path: string }) => (
                  <Link to={row.path}>{t(`console.menu.${row.key}`)}</Link>
                ),
              },
              {
                title: t('console.overview.moduleStatus'),
                dataIndex: 'open',
                render: (open: boolean) =>
                  open ? (
                    <Tag className="status-badge status-ok" variant="outlined">
                      {t('console.overview.moduleOpen')}
                    </Tag>
                  ) : (
                    <Tag className="soon-badge" variant="outlined">
                      {t('common.comingSoon')}
                    </Tag>
                  ),
              },
            ]}
          />
        </Card>
      </div>
    </div>
  );
}
