import { Page } from '../components/ui';
export function ConsentsPage({ accountId }: { accountId: string }) {
  return <Page title="ConsentsPage">{accountId}</Page>;
}
