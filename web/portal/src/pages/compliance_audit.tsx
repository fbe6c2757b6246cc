import { Page } from '../components/ui';
export function AuditPage({ accountId }: { accountId: string }) {
  return <Page title="Audit chain">{accountId}</Page>;
}
