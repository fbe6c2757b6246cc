// Pieces the staff console's sections share: a labelled multi-line text
// field and checkbox, and an action's outcome (a notice or an error).
import { useState } from 'preact/hooks';
import { explain } from '../api';
import { ErrorMessage, Notice, useId } from '../components/ui';

// A labelled multi-line text field and a checkbox (the shared ui has
// single-line fields only).
export function TextArea({ label, value, onValue, required }: { label: string; value: string; onValue: (v: string) => void; required?: boolean }) {
  const id = useId('text');
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <textarea id={id} value={value} required={required} rows={3} onInput={(e) => onValue((e.currentTarget as HTMLTextAreaElement).value)} />
    </div>
  );
}
export function Checkbox({ label, checked, onChecked }: { label: string; checked: boolean; onChecked: (v: boolean) => void }) {
  const id = useId('check');
  return (
    <div class="field checkbox">
      <input id={id} type="checkbox" checked={checked} onChange={(e) => onChecked((e.currentTarget as HTMLInputElement).checked)} />
      <label for={id}>{label}</label>
    </div>
  );
}

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
