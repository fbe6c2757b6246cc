import { Page } from '../components/ui';
export function WebhooksPage({ accountId }: { accountId: string; webhookId?: string }) {
  return <Page title="Webhooks">{accountId}</Page>;
}
