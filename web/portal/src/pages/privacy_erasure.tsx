// One erasure's page (/accounts/{id}/erasures/{eid}): its signed receipt,
// followed until it settles, with the JSON to download.
import { useEffect, useState } from 'preact/hooks';
import { explain, forAccount } from '../api';
import { AccountNav, sectionPath } from '../components/account_nav';
import { ErrorMessage, Page } from '../components/ui';
import { Link } from '../router';
import { ReceiptView } from './privacy_receipt';
import { useFollowedReceipt } from './privacy_settings';
import type { Receipt } from './privacy_types';

export function ErasurePage({ id, erasure }: { id: string; erasure: string }) {
  const api = forAccount(id);
  const [first, setFirst] = useState<Receipt | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    api
      .get<Receipt>(`/v1/erasures/${encodeURIComponent(erasure)}`)
      .then(setFirst)
      .catch((err) => setError(explain(err)));
  }, [id, erasure]);
  const receipt = useFollowedReceipt(api, first);
  return (
    <Page title={`Erasure ${erasure}`}>
      <AccountNav id={id} current="privacy" />
      <p>
        <Link href={sectionPath(id, 'privacy')}>Back to privacy</Link>
      </p>
      <ErrorMessage message={error} />
      {!error && !receipt && <p aria-live="polite">Loading…</p>}
      {receipt && <ReceiptView receipt={receipt} />}
    </Page>
  );
}
