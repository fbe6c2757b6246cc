import { Page } from '../components/ui';
export function DisclosuresPage({ accountId }: { accountId: string }) {
  return <Page title="DisclosuresPage">{accountId}</Page>;
}
