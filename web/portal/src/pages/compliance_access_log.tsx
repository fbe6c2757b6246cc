import { Page } from '../components/ui';
export function AccessLogPage({ accountId }: { accountId: string }) {
  return <Page title="AccessLogPage">{accountId}</Page>;
}
