// The tabs of one account's sections: links (each section is a page of its
// own, /accounts/{id}/{section}), the current one marked aria-current; and
// the account a section page shows, loaded once.
import { useEffect, useState } from 'preact/hooks';
import { explain, get, type Account } from '../api';
import { Link } from '../router';
import { accountPath } from '../routes';
import { ErrorMessage, Page } from './ui';

export type Section = 'overview' | 'media' | 'privacy' | 'usage';

const SECTIONS: Array<[Section, string]> = [
  ['overview', 'Overview'],
  ['media', 'Media'],
  ['privacy', 'Privacy'],
  ['usage', 'Usage'],
];

export function sectionPath(id: string, section: Section): string {
  return section === 'overview' ? accountPath(id) : `${accountPath(id)}/${section}`;
}

export function AccountNav({ id, current }: { id: string; current: Section }) {
  return (
    <nav aria-label="Account sections" class="tabs">
      <ul>
        {SECTIONS.map(([section, name]) => (
          <li key={section}>
            <Link href={sectionPath(id, section)} aria-current={section === current ? 'page' : undefined}>
              {name}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

// The account `id` of the signed-in customer: null while it loads; `error`
// says why it could not be read (another customer's account is not found).
export function useAccount(id: string) {
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    get<Account>(`/v1/accounts/${encodeURIComponent(id)}`)
      .then(setAccount)
      .catch((err) => setError(explain(err)));
  }, [id]);
  return { account, setAccount, error };
}

// What a section page shows when its account cannot be read.
export function AccountUnavailable({ title, error }: { title: string; error: string }) {
  return (
    <Page title={title}>
      <ErrorMessage message={error} />
      <p>
        Back to <Link href="/">your accounts</Link>.
      </p>
    </Page>
  );
}
