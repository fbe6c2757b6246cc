// What the staff console's sections share: an action's outcome (a notice
// or an error), and the list of one account's records a section shows.
import { useState } from 'preact/hooks';
import { explain, get } from '../api';
import { ErrorMessage, Notice } from '../components/ui';

// The result of an action: a message for the person, or an error.
export function useOutcome() {
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const run = async (action: () => Promise<string>) => {
    setError('');
    setNotice('');
    try {
      setNotice(await action());
    } catch (err) {
      setError(explain(err));
    }
  };
  const view = (
    <>
      <ErrorMessage message={error} />
      {notice && <Notice message={notice} />}
    </>
  );
  return { run, view };
}

// One account's records from `path` (`?account=` added; the answer's
// `key` member is the list): the account typed, the one shown, its
// records, load(id) to read them again, and show, the form's submit
// handler that reads the typed one through `run` (useOutcome's).
export function useAccountRecords<T>(path: string, key: string, run: (action: () => Promise<string>) => Promise<void>) {
  const [account, setAccount] = useState('');
  const [shown, setShown] = useState('');
  const [records, setRecords] = useState<T[]>([]);
  const load = async (id: string) => {
    const answer = await get<Record<string, T[]>>(`${path}?account=${encodeURIComponent(id)}`);
    setRecords(answer[key]);
    setShown(id);
  };
  const show = (e: Event) => {
    e.preventDefault();
    void run(async () => {
      await load(account.trim());
      return '';
    });
  };
  return { account, setAccount, shown, records, load, show };
}
