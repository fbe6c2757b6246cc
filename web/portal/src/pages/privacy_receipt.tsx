// A signed erasure receipt, as a region named "Erasure receipt": its
// fields, its signature, and the JSON to download. Shown after an erasure
// (following it to "done") and on the erasure's own page.
import { useEffect, useState } from 'preact/hooks';
import { useId, formatTime } from '../components/ui';
import type { Receipt } from './privacy_types';

// A download link for the receipt's JSON, from a blob: URL made in the page
// (the receipt route needs the session's headers, which a plain link
// cannot send).
export function DownloadReceipt({ receipt }: { receipt: Receipt }) {
  const [href, setHref] = useState('');
  useEffect(() => {
    const url = URL.createObjectURL(
      new Blob([JSON.stringify(receipt, null, 2)], { type: 'application/json' }),
    );
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [receipt]);
  if (!href) return null;
  return (
    <a href={href} download={`${receipt.id}.json`}>
      Download receipt
    </a>
  );
}

export function ReceiptView({ receipt, heading = 'h2' }: { receipt: Receipt; heading?: 'h2' | 'h3' }) {
  const id = useId('receipt');
  const Heading = heading;
  return (
    <section class="receipt" aria-labelledby={id}>
      <Heading id={id}>Erasure receipt</Heading>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{receipt.id}</code>
        </dd>
        <dt>Scope</dt>
        <dd>{receipt.scope === 'end_user' ? 'end user' : receipt.scope}</dd>
        <dt>State</dt>
        <dd aria-live="polite" class={receipt.state === 'done' ? 'state-done' : undefined}>
          {receipt.state}
        </dd>
        <dt>Media erased</dt>
        <dd>{receipt.media_erased}</dd>
        <dt>Usage events de-identified</dt>
        <dd>{receipt.usage_events_deidentified}</dd>
        <dt>Requested</dt>
        <dd>{formatTime(receipt.requested_at)}</dd>
        <dt>Keys destroyed</dt>
        <dd>{formatTime(receipt.keys_destroyed_at)}</dd>
        <dt>Purged</dt>
        <dd>{formatTime(receipt.purged_at)}</dd>
        {receipt.issued_at && (
          <>
            <dt>Issued</dt>
            <dd>{formatTime(receipt.issued_at)}</dd>
          </>
        )}
        {receipt.signature && (
          <>
            <dt>Signature</dt>
            <dd class="signature">
              <code>{receipt.signature}</code>
            </dd>
          </>
        )}
      </dl>
      {receipt.state === 'held' && (
        <p>A legal hold keeps this data for now: it is erased when the hold ends.</p>
      )}
      <p>
        <DownloadReceipt receipt={receipt} />
      </p>
    </section>
  );
}
