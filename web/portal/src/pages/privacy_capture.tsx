// The account's capture notice (in its privacy section): the text
// <lethe-recorder> shows its end users before it records, and the purposes
// whose consent it asks for. Without one the recorder records nothing.
// PATCH /v1/accounts/{id} sets both together; null for both removes them.
import { useEffect, useState } from 'preact/hooks';
import { explain, get, patch, type Account } from '../api';
import type { Purpose } from '../compliance_api';
import { Checkbox, ErrorMessage, Notice, TextArea } from '../components/ui';

export function CaptureNotice({ base, account, onChange }: { base: string; account: Account; onChange: (a: Account) => void }) {
  const [text, setText] = useState(account.capture_notice ?? '');
  const [chosen, setChosen] = useState<Set<string>>(new Set(account.capture_purposes));
  // Only purposes whose legal basis is consent can be asked for.
  const [purposes, setPurposes] = useState<Purpose[]>([]);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');

  useEffect(() => {
    get<{ items: Purpose[] }>('/v1/purposes')
      .then((p) => setPurposes(p.items.filter((x) => x.legal_basis === 'consent')))
      .catch((err) => setError(explain(err)));
  }, []);

  const toggle = (name: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(name);
    else next.delete(name);
    setChosen(next);
  };
  const save = async (body: { capture_notice: string | null; capture_purposes: string[] | null }, done: string) => {
    setError('');
    setNotice('');
    try {
      const saved = await patch<Account>(base, body);
      onChange(saved);
      setText(saved.capture_notice ?? '');
      setChosen(new Set(saved.capture_purposes));
      setNotice(done);
    } catch (err) {
      setError(explain(err));
    }
  };
  const submit = (e: Event) => {
    e.preventDefault();
    void save({ capture_notice: text, capture_purposes: [...chosen] }, 'Saved: the recorder shows this notice first.');
  };

  return (
    <section aria-labelledby="capture-heading">
      <h2 id="capture-heading">Recording notice</h2>
      <p>
        What <code>&lt;lethe-recorder&gt;</code> shows your end users before it records them, and the purposes it
        asks their consent for. Without a notice the recorder records nothing.
      </p>
      <form onSubmit={submit}>
        <TextArea label="Notice shown before recording" value={text} onValue={setText} required />
        <fieldset>
          <legend>Ask consent for</legend>
          {purposes.map((p) => (
            <Checkbox
              key={p.name}
              label={`${p.name}: ${p.description}`}
              checked={chosen.has(p.name)}
              onChecked={(on) => toggle(p.name, on)}
            />
          ))}
        </fieldset>
        <ErrorMessage message={error} />
        {notice && <Notice message={notice} />}
        <div class="actions">
          <button type="submit">Save notice</button>
          {account.capture_notice !== null && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                save({ capture_notice: null, capture_purposes: null }, 'Removed: the recorder records nothing now.')
              }
            >
              Remove notice
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
