import { Page } from '../components/ui';
import { Link } from '../router';

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is no page here. Go to <Link href="/">your accounts</Link>.
      </p>
    </Page>
  );
}
