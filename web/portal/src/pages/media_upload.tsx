// Upload by drag and drop, over tus (tus-js-client): a drop zone with a
// file input inside it for keyboard users, a labelled <progress> per file,
// and resume: tus-js-client keeps each upload's URL in localStorage under
// the file's fingerprint, so the same file dropped again after a reload
// continues where it stopped, and a dropped connection is retried.
import { useState } from 'preact/hooks';
import { Upload } from 'tus-js-client';
import { ACTING_ACCOUNT, currentCsrfToken } from '../api';
import { Field, useId } from '../components/ui';

interface Transfer {
  key: string;
  name: string;
  sent: number;
  total: number;
  state: 'uploading' | 'done' | 'failed';
  resumed: boolean;
  error?: string;
  mediaId?: string;
}

// Retries after a network drop: soon, then less often.
const RETRY_DELAYS = [0, 1000, 3000, 5000, 10000, 20000];
const CHUNK = 8 * 1024 * 1024;

export function UploadZone({ accountId, onUploaded }: { accountId: string; onUploaded: () => void }) {
  const inputId = useId('upload');
  const [over, setOver] = useState(false);
  const [endUser, setEndUser] = useState('');
  const [transfers, setTransfers] = useState<Transfer[]>([]);

  const update = (key: string, change: Partial<Transfer>) =>
    setTransfers((all) => all.map((t) => (t.key === key ? { ...t, ...change } : t)));

  const send = (file: File) => {
    const key = `${file.name}-${file.size}-${Date.now()}-${Math.random()}`;
    setTransfers((all) => [
      ...all,
      { key, name: file.name, sent: 0, total: file.size, state: 'uploading', resumed: false },
    ]);
    const metadata: Record<string, string> = { filetype: file.type || 'application/octet-stream', title: file.name };
    if (endUser.trim()) metadata.end_user = endUser.trim();
    const upload = new Upload(file, {
      endpoint: '/v1/uploads',
      chunkSize: CHUNK,
      retryDelays: RETRY_DELAYS,
      metadata,
      // The session cookie goes by itself (same origin); the account and
      // the CSRF token go as headers on every request.
      headers: { [ACTING_ACCOUNT]: accountId, 'X-CSRF-Token': currentCsrfToken() },
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      onProgress: (sent, total) => update(key, { sent, total }),
      onAfterResponse: (_req, res) => {
        const id = res.getHeader('Lethe-Media-Id');
        if (id) update(key, { mediaId: id });
      },
      onError: (err) => update(key, { state: 'failed', error: String(err.message || err) }),
      onSuccess: () => {
        update(key, { state: 'done', sent: file.size });
        onUploaded();
      },
    });
    upload
      .findPreviousUploads()
      .then((previous) => {
        if (previous.length > 0) {
          upload.resumeFromPreviousUpload(previous[0]);
          update(key, { resumed: true });
        }
        upload.start();
      })
      .catch(() => upload.start());
  };

  const sendAll = (files: FileList | null | undefined) => {
    if (!files) return;
    for (const f of Array.from(files)) send(f);
  };

  return (
    <section aria-labelledby="upload-heading">
      <h2 id="upload-heading">Upload</h2>
      <Field
        label="End user of the upload (optional)"
        hint="Your app's id for the person the media belongs to."
        value={endUser}
        onValue={setEndUser}
        maxLength={256}
      />
      <div
        class={over ? 'dropzone over' : 'dropzone'}
        data-testid="dropzone"
        onDragEnter={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragOver={(e) => {
          e.preventDefault();
          if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          sendAll(e.dataTransfer?.files);
        }}
      >
        <p>Drop video, audio or image files here, or</p>
        <label for={inputId}>Choose files to upload</label>{' '}
        <input
          id={inputId}
          type="file"
          multiple
          accept="video/*,audio/*,image/*"
          onChange={(e) => {
            const input = e.currentTarget as HTMLInputElement;
            sendAll(input.files);
            input.value = '';
          }}
        />
        <p class="hint">An upload cut short resumes: drop the same file again, even after a reload.</p>
      </div>
      {transfers.length > 0 && (
        <ul class="transfers" aria-label="Uploads">
          {transfers.map((t) => (
            <TransferRow key={t.key} t={t} />
          ))}
        </ul>
      )}
    </section>
  );
}

function TransferRow({ t }: { t: Transfer }) {
  const id = useId('progress');
  const pct = t.total > 0 ? Math.floor((t.sent / t.total) * 100) : t.state === 'done' ? 100 : 0;
  return (
    <li>
      <label for={id}>
        {t.name}: {pct}%{t.resumed ? ' (resumed)' : ''}
        {t.state === 'done' ? ', uploaded' : ''}
      </label>{' '}
      <progress id={id} max={100} value={pct}>
        {pct}%
      </progress>
      {t.state === 'failed' && (
        <div class="error" role="alert">
          {t.name} failed: {t.error}
        </div>
      )}
      {t.state === 'done' && (
        <span class="visually-hidden" role="status">
          {t.name} uploaded
        </span>
      )}
    </li>
  );
}
