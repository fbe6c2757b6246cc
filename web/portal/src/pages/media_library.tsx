// An account's media library (/accounts/{id}/media): its media, filtered
// by kind, end user and tag (the API's filters), and by title within the
// page shown (the API has no title search); pages of 25; and uploads.
import { useEffect, useState } from 'preact/hooks';
import { explain, forAccount, get, type Account } from '../api';
import { AccountNav } from '../components/account_nav';
import { ErrorMessage, Field, formatTime, Page, Select } from '../components/ui';
import { Link } from '../router';
import { UploadZone } from './media_upload';
import { formatBytes, mediaPath, type Media, type MediaPage } from './media_types';

const PAGE = 25;

interface Filters {
  kind: string;
  endUser: string;
  tag: string;
}

function query(f: Filters, cursor: string | null): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  if (f.kind) q.set('kind', f.kind);
  if (f.endUser.trim()) q.set('end_user', f.endUser.trim());
  if (f.tag.trim()) q.set('tag', f.tag.trim());
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}

export function MediaLibraryPage({ id }: { id: string }) {
  const api = forAccount(id);
  const [account, setAccount] = useState<Account | null>(null);
  const [draft, setDraft] = useState<Filters>({ kind: '', endUser: '', tag: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  const [title, setTitle] = useState('');
  // The cursors of the pages before this one, and this page's.
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [page, setPage] = useState<MediaPage | null>(null);
  const [error, setError] = useState('');
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    get<Account>(`/v1/accounts/${encodeURIComponent(id)}`)
      .then(setAccount)
      .catch((err) => setError(explain(err)));
  }, [id]);
  const cursor = cursors[cursors.length - 1];
  useEffect(() => {
    setError('');
    api
      .get<MediaPage>(`/v1/media?${query(filters, cursor)}`)
      .then(setPage)
      .catch((err) => setError(explain(err)));
  }, [id, filters, cursor, reloads]);

  const apply = (e: Event) => {
    e.preventDefault();
    setCursors([null]);
    setFilters({ ...draft });
  };
  const shown = (page?.media ?? []).filter((m) => m.title.toLowerCase().includes(title.trim().toLowerCase()));

  return (
    <Page title={account ? `Media · ${account.name}` : 'Media'}>
      <AccountNav id={id} current="media" />
      <UploadZone accountId={id} onUploaded={() => setReloads((n) => n + 1)} />
      <section aria-labelledby="library-heading">
        <h2 id="library-heading">Library</h2>
        <form onSubmit={apply} class="filters" aria-label="Filter media">
          <Select
            label="Kind"
            value={draft.kind}
            onValue={(kind) => setDraft({ ...draft, kind })}
            options={[
              ['', 'Any kind'],
              ['video', 'Video'],
              ['audio', 'Audio'],
              ['image', 'Image'],
            ]}
          />
          <Field label="End user" value={draft.endUser} onValue={(endUser) => setDraft({ ...draft, endUser })} maxLength={256} />
          <Field label="Tag" value={draft.tag} onValue={(tag) => setDraft({ ...draft, tag })} maxLength={64} />
          <div class="actions">
            <button type="submit">Apply filters</button>
          </div>
        </form>
        <Field
          label="Title contains"
          hint="Narrows the page shown."
          type="text"
          value={title}
          onValue={setTitle}
        />
        <ErrorMessage message={error} />
        {page && shown.length === 0 && <p>No media here.</p>}
        {shown.length > 0 && <MediaTable accountId={id} items={shown} />}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            disabled={cursors.length <= 1}
            onClick={() => setCursors((c) => c.slice(0, -1))}
          >
            Previous page
          </button>
          <button
            type="button"
            class="secondary"
            disabled={!page?.next_cursor}
            onClick={() => page?.next_cursor && setCursors((c) => [...c, page.next_cursor])}
          >
            Next page
          </button>
        </div>
      </section>
    </Page>
  );
}

function MediaTable({ accountId, items }: { accountId: string; items: Media[] }) {
  return (
    <table>
      <caption>Media, in upload order</caption>
      <thead>
        <tr>
          <th scope="col">Title</th>
          <th scope="col">Kind</th>
          <th scope="col">End user</th>
          <th scope="col">Tags</th>
          <th scope="col">Size</th>
          <th scope="col">Uploaded</th>
        </tr>
      </thead>
      <tbody>
        {items.map((m) => (
          <tr key={m.id}>
            <th scope="row">
              <Link href={mediaPath(accountId, m.id)}>{m.title || m.id}</Link>
            </th>
            <td>{m.kind}</td>
            <td>{m.end_user ?? '—'}</td>
            <td>{m.tags.length ? m.tags.join(', ') : '—'}</td>
            <td>{formatBytes(m.bytes)}</td>
            <td>{formatTime(m.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
