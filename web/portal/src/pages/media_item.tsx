// One media object (/accounts/{id}/media/{mid}): its details, a player
// fed by a short-lived signed link (POST /v1/media/{id}/links; the web
// rendition when one is ready), and "Delete": the media's erasure, with
// its receipt followed to "done".
import { useEffect, useRef, useState } from 'preact/hooks';
import { explain, forAccount } from '../api';
import { AccountNav, sectionPath } from '../components/account_nav';
import { ErrorMessage, formatTime, Page } from '../components/ui';
import { Link } from '../router';
import { ReceiptView } from './privacy_receipt';
import { useFollowedReceipt } from './privacy_settings';
import type { Receipt } from './privacy_types';
import { formatBytes, formatDuration, type Media } from './media_types';

// Long enough to watch a long video; a reload asks for another link.
const LINK_SECONDS = 3600;

export function MediaItemPage({ id, media }: { id: string; media: string }) {
  const api = forAccount(id);
  const path = `/v1/media/${encodeURIComponent(media)}`;
  const [item, setItem] = useState<Media | null>(null);
  const [src, setSrc] = useState('');
  const [error, setError] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [first, setFirst] = useState<Receipt | null>(null);
  const receipt = useFollowedReceipt(api, first);
  const confirmRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    (async () => {
      const m = await api.get<Media>(path);
      setItem(m);
      const link = await api.post<{ url: string }>(`${path}/links`, { expires_in: LINK_SECONDS });
      const web = m.web_rendition?.state === 'ready';
      setSrc(web ? `${link.url}&rendition=web` : link.url);
    })().catch((err) => setError(explain(err)));
  }, [id, media]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  const erase = async () => {
    setError('');
    try {
      setFirst(await api.del<Receipt>(path));
      setConfirming(false);
      setSrc('');
    } catch (err) {
      setError(explain(err));
    }
  };

  const title = item ? item.title || item.id : 'Media';
  return (
    <Page title={title}>
      <AccountNav id={id} current="media" />
      <p>
        <Link href={sectionPath(id, 'media')}>Back to the library</Link>
      </p>
      <ErrorMessage message={error} />
      {item && !first && (
        <>
          <div class="player">
            <Player item={item} src={src} />
          </div>
          <dl class="facts">
            <dt>Id</dt>
            <dd>
              <code>{item.id}</code>
            </dd>
            <dt>Kind</dt>
            <dd>{item.kind}</dd>
            <dt>Type</dt>
            <dd>{item.content_type}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(item.bytes)}</dd>
            {item.duration_ms !== null && (
              <>
                <dt>Duration</dt>
                <dd>{formatDuration(item.duration_ms)}</dd>
              </>
            )}
            {item.width !== null && (
              <>
                <dt>Dimensions</dt>
                <dd>
                  {item.width} × {item.height}
                </dd>
              </>
            )}
            <dt>End user</dt>
            <dd>{item.end_user ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>{item.tags.length ? item.tags.join(', ') : '—'}</dd>
            <dt>Uploaded</dt>
            <dd>{formatTime(item.created_at)}</dd>
            <dt>Erased on</dt>
            <dd>{item.expires_at ? formatTime(item.expires_at) : 'kept until deleted'}</dd>
            <dt>SHA-256</dt>
            <dd>
              <code>{item.sha256}</code>
            </dd>
          </dl>
          <section aria-labelledby="delete-heading">
            <h2 id="delete-heading">Delete</h2>
            <p>Deleting erases the media and its renditions for good; you get a signed receipt.</p>
            {!confirming ? (
              <div class="actions">
                <button type="button" class="danger" onClick={() => setConfirming(true)}>
                  Delete
                </button>
              </div>
            ) : (
              <div class="confirm" role="group" aria-labelledby="delete-confirm-text">
                <p id="delete-confirm-text">Delete {title}? This cannot be undone.</p>
                <div class="actions">
                  <button type="button" class="danger" ref={confirmRef} onClick={erase}>
                    Confirm deletion
                  </button>
                  <button type="button" class="secondary" onClick={() => setConfirming(false)}>
                    Cancel
                  </button>
                </div>
              </div>
            )}
          </section>
        </>
      )}
      {receipt && <ReceiptView receipt={receipt} />}
      {!item && !error && <p aria-live="polite">Loading…</p>}
    </Page>
  );
}

function Player({ item, src }: { item: Media; src: string }) {
  if (!src) return <p aria-live="polite">Preparing the player…</p>;
  const label = `Play ${item.title || item.id}`;
  switch (item.kind) {
    case 'video':
      return <video controls preload="metadata" src={src} aria-label={label} data-testid="player" />;
    case 'audio':
      return <audio controls preload="metadata" src={src} aria-label={label} data-testid="player" />;
    default:
      return <img src={src} alt={item.title || 'Image without a title'} data-testid="player" />;
  }
}
