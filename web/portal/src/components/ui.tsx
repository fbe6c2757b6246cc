// Small building blocks shared by the pages: labelled fields, an error
// region that screen readers announce, a box for secrets shown once, and
// the page frame that names the page and moves focus to its heading.
import type { ComponentChildren, InputHTMLAttributes, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

let nextId = 0;
// A stable unique id for label/for and aria-describedby pairs.
export function useId(prefix: string): string {
  const [id] = useState(() => `${prefix}-${++nextId}`);
  return id;
}

// The input attributes the pages use.
type InputProps = {
  label: string;
  hint?: string;
  value: string;
  onValue: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'date' | 'number' | 'url';
  required?: boolean;
  autocomplete?: string;
  autoFocus?: boolean;
  inputMode?: 'numeric' | 'text';
  minLength?: number;
  maxLength?: number;
  min?: number | string;
  max?: number | string;
  pattern?: string;
  placeholder?: string;
  spellcheck?: boolean;
  inputRef?: Ref<HTMLInputElement>;
};

export function Field({ label, hint, value, onValue, inputRef, ...input }: InputProps) {
  const id = useId('field');
  const hintId = hint ? `${id}-hint` : undefined;
  // One object, cast once: Preact types <input> as a union keyed by `type`.
  const attributes = {
    id,
    'aria-describedby': hintId,
    value,
    onInput: (e: Event) => onValue((e.currentTarget as HTMLInputElement).value),
    ref: inputRef,
    ...input,
  } as InputHTMLAttributes<HTMLInputElement>;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      <input {...attributes} />
    </div>
  );
}

type SelectProps = {
  label: string;
  hint?: string;
  value: string;
  onValue: (value: string) => void;
  options: Array<[string, string]>; // [value, text]
  required?: boolean;
  autocomplete?: string;
};

export function Select({ label, hint, value, onValue, options, required, autocomplete }: SelectProps) {
  const id = useId('select');
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && (
        <p class="hint" id={hintId}>
          {hint}
        </p>
      )}
      <select
        id={id}
        aria-describedby={hintId}
        value={value}
        required={required}
        autocomplete={autocomplete}
        onChange={(e) => onValue((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}

// An error message, announced as soon as it appears.
export function ErrorMessage({ message }: { message: string }) {
  if (!message) return null;
  return (
    <div class="error" role="alert">
      {message}
    </div>
  );
}

// A status message (saved, created), announced politely.
export function Notice({ message }: { message: string }) {
  return (
    <div class="notice" role="status">
      {message}
    </div>
  );
}

// A secret the server shows once (an API token, key secret, upload token).
export function Secret({ label, value, children }: { label: string; value: string; children?: ComponentChildren }) {
  const id = useId('secret');
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <section class="secret" aria-labelledby={id}>
      <h3 id={id}>{label}</h3>
      <p>Copy it now: Lethe keeps only a digest of it and will not show it again.</p>
      {children}
      <output class="secret-value" aria-label={label}>
        {value}
      </output>
      <button type="button" class="secondary" onClick={copy}>
        {copied ? 'Copied' : 'Copy to clipboard'}
      </button>
    </section>
  );
}

// The frame of a page: sets the document title and, when the page is
// shown after a navigation, moves focus to its heading so that screen
// readers announce the new page (a page whose next step is to type, such
// as the sign-in code, then moves it on to its field).
export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Lethe`;
    if (document.body.dataset.navigated) heading.current?.focus();
    document.body.dataset.navigated = '1';
  }, [title]);
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {children}
    </>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return 'never';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';
}

// A labelled multi-line text field, and a labelled checkbox.
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
