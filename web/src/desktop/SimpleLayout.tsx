import type { ReactNode } from 'react';
import { Layout } from 'antd';
import { AreaHeader } from './AreaHeader';
import { AreaFooter } from './AreaFooter';

/** Header, main and footer without a side menu: used by the counter and public areas. */
export function SimpleLayout({
  title,
  home,
  account = false,
  children,
}: {
  title: string;
  home: string;
  account?: boolean;
  children: ReactNode;
}) {
  return (
    <Layout className="desktop-layout">
      <AreaHeader title={title} home={home} account={account} />
      <Layout.Content id="main" tabIndex={-1} className="desktop-content">
        {children}
      </Layout.Content>
      <AreaFooter />
    </Layout>
  );
}
