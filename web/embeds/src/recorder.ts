// <lethe-recorder>: records video or audio with MediaRecorder, or takes a
// photo from the camera, and uploads it to Lethe over tus with an upload
// token. Before anything is recorded it shows the notice the account set
// (GET /v1/capture-notice) and asks for consent; the answer is recorded in
// Lethe's consent ledger (POST /v1/capture-consents) under the policy
// version in force. The camera or microphone is opened only after an
// opt-in; after a refusal nothing is opened, recorded or uploaded.
//
// Attributes: endpoint (Lethe's base URL), upload-token, kind
// (video|audio|photo, default video), title (optional).
// Events (bubbling, composed): lethe-consent {decision, purposes,
// policyVersion}, lethe-uploaded {mediaId}, lethe-error {type, status,
// message}. The host's `state` attribute tells where it is (README.md).
import * as tus from 'tus-js-client';
import {
  baseSheet,
  errorEvent,
  h,
  plainWords,
  readProblem,
  reasonOf,
  sheet,
  trimBase,
  PROBLEM_BASE,
} from './common';

export type RecorderKind = 'video' | 'audio' | 'photo';
export type RecorderState =
  | 'idle'
  | 'loading'
  | 'notice'
  | 'consenting'
  | 'declined'
  | 'starting'
  | 'ready'
  | 'recording'
  | 'uploading'
  | 'uploaded'
  | 'error';

interface NoticePurpose {
  name: string;
  description: string;
}
interface Notice {
  account_name: string;
  notice: string;
  purposes: NoticePurpose[];
  policy_version: number;
  policy_url: string;
}

const recorderSheet = sheet(`
.notice { border: 1px solid #888; border-radius: var(--lethe-radius, .375rem); padding: .75rem 1rem; }
.notice-title { font-weight: 600; margin: 0 0 .5rem; }
.notice-text { white-space: pre-line; margin: 0 0 .5rem; }
.purposes { margin: 0 0 .5rem; padding-left: 1.25rem; }
.small { font-size: .875em; }
.recording-dot { color: #b91c1c; font-weight: 600; }
`);

const CHUNK_BYTES = 512 * 1024;

function pickMimeType(kind: RecorderKind): string {
  const candidates =
    kind === 'audio'
      ? ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/mp4']
      : ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm', 'video/mp4'];
  for (const c of candidates) {
    if (typeof MediaRecorder !== 'undefined' && MediaRecorder.isTypeSupported(c)) return c;
  }
  return '';
}

export class LetheRecorder extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['endpoint', 'upload-token', 'kind'];
  }

  private readonly root: ShadowRoot;
  private readonly noticeBox = h('div', { class: 'notice', part: 'notice', hidden: true });
  private readonly preview = h('video', {
    part: 'preview',
    muted: true,
    playsinline: true,
    autoplay: true,
    'aria-label': 'Camera preview',
    hidden: true,
  });
  private readonly controls = h('div', { class: 'row', hidden: true });
  private readonly recordButton = h('button', { type: 'button', class: 'primary' }, 'Record');
  private readonly stopButton = h('button', { type: 'button', disabled: true }, 'Stop');
  private readonly retryButton = h('button', { type: 'button', hidden: true }, 'Retry upload');
  private readonly progress = h('progress', {
    max: '100',
    value: '0',
    'aria-label': 'Upload progress',
    hidden: true,
  });
  private readonly status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly alert = h('div', { class: 'alert', role: 'alert' });

  private stream: MediaStream | null = null;
  private recorder: MediaRecorder | null = null;
  private upload: tus.Upload | null = null;
  private generation = 0; // bumps on every restart: late answers of an old run are dropped
  private policyVersion = 0;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.adoptedStyleSheets = [baseSheet, recorderSheet];
    this.preview.muted = true; // the property, not only the attribute: no echo, autoplay allowed
    this.recordButton.addEventListener('click', () => this.onRecord());
    this.stopButton.addEventListener('click', () => this.onStop());
    this.retryButton.addEventListener('click', () => this.onRetry());
    this.controls.append(this.recordButton, this.stopButton);
    this.root.append(
      h(
        'div',
        { part: 'container', role: 'group', 'aria-label': 'Recorder' },
        this.noticeBox,
        this.preview,
        this.controls,
        this.progress,
        this.retryButton,
        this.status,
        this.alert,
      ),
    );
  }

  get kind(): RecorderKind {
    const k = this.getAttribute('kind');
    return k === 'audio' || k === 'photo' ? k : 'video';
  }

  /** Where the element is: idle, loading, notice, consenting, declined,
   *  starting, ready, recording, uploading, uploaded or error. */
  get state(): RecorderState {
    return (this.getAttribute('state') as RecorderState) || 'idle';
  }

  connectedCallback(): void {
    this.restart();
  }

  disconnectedCallback(): void {
    this.generation++;
    this.stopStream();
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (old !== value && this.isConnected) this.restart();
  }

  private setState(s: RecorderState): void {
    this.setAttribute('state', s);
  }

  private get base(): string {
    return trimBase(this.getAttribute('endpoint') || '');
  }

  private get token(): string {
    return this.getAttribute('upload-token') || '';
  }

  private restart(): void {
    const run = ++this.generation;
    this.stopStream();
    this.upload?.abort().catch(() => undefined);
    this.upload = null;
    this.noticeBox.hidden = true;
    this.noticeBox.replaceChildren();
    this.controls.hidden = true;
    this.progress.hidden = true;
    this.retryButton.hidden = true;
    this.alert.textContent = '';
    this.status.textContent = '';
    if (!this.base || !this.token) {
      this.setState('idle');
      this.status.textContent = 'Waiting for an endpoint and an upload token.';
      return;
    }
    void this.loadNotice(run);
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: 'Bearer ' + this.token };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  }

  private async loadNotice(run: number): Promise<void> {
    this.setState('loading');
    this.status.textContent = 'Loading…';
    let res: Response;
    try {
      res = await this.call('GET', '/v1/capture-notice');
    } catch {
      if (run === this.generation) this.fail(`${PROBLEM_BASE}network`, 0);
      return;
    }
    if (run !== this.generation) return;
    if (!res.ok) {
      const p = await readProblem(res);
      if (run === this.generation) this.fail(p.type, p.status);
      return;
    }
    const notice = (await res.json()) as Notice;
    if (run !== this.generation) return;
    this.showNotice(notice);
  }

  private showNotice(n: Notice): void {
    this.policyVersion = n.policy_version;
    const agree = h('button', { type: 'button', class: 'primary' }, 'I agree');
    const decline = h('button', { type: 'button' }, 'Decline');
    const what = this.kind === 'audio' ? 'audio' : this.kind === 'photo' ? 'a photo' : 'video';
    const list = h('ul', { class: 'purposes' });
    for (const p of n.purposes) {
      list.append(h('li', {}, h('strong', {}, p.name.replace(/_/g, ' ')), ': ', p.description));
    }
    const policy = h('a', { href: this.base + n.policy_url, target: '_blank', rel: 'noopener' });
    policy.textContent = 'privacy policy, version ' + n.policy_version;
    this.noticeBox.replaceChildren(
      h('p', { class: 'notice-title', id: 'notice-title' }, 'Before you record ' + what),
      h('p', { class: 'notice-text' }, n.notice),
      h('p', { class: 'small' }, 'By agreeing you consent to:'),
      list,
      h('p', { class: 'small' }, 'Under the ', policy, '. You can withdraw your consent later.'),
      h('div', { class: 'row' }, agree, decline),
    );
    this.noticeBox.setAttribute('role', 'region');
    this.noticeBox.setAttribute('aria-labelledby', 'notice-title');
    this.noticeBox.hidden = false;
    const purposes = n.purposes.map((p) => p.name);
    agree.addEventListener('click', () => void this.answer('opt_in', purposes, [agree, decline]));
    decline.addEventListener('click', () => void this.answer('opt_out', purposes, [agree, decline]));
    this.status.textContent = 'Nothing is recorded until you agree.';
    this.setState('notice');
  }

  private async answer(
    decision: 'opt_in' | 'opt_out',
    purposes: string[],
    buttons: HTMLButtonElement[],
  ): Promise<void> {
    const run = this.generation;
    for (const b of buttons) b.disabled = true;
    this.setState('consenting');
    this.alert.textContent = '';
    let res: Response;
    try {
      res = await this.call('POST', '/v1/capture-consents', { decision, purposes });
    } catch {
      if (run === this.generation) {
        for (const b of buttons) b.disabled = false;
        this.fail(`${PROBLEM_BASE}network`, 0);
      }
      return;
    }
    if (run !== this.generation) return;
    if (!res.ok) {
      const p = await readProblem(res);
      for (const b of buttons) b.disabled = false;
      this.fail(p.type, p.status);
      return;
    }
    this.dispatchEvent(
      new CustomEvent('lethe-consent', {
        detail: { decision, purposes, policyVersion: this.policyVersion },
        bubbles: true,
        composed: true,
      }),
    );
    this.noticeBox.hidden = true;
    if (decision === 'opt_out') {
      this.setState('declined');
      this.status.textContent = 'You declined, so nothing will be recorded.';
      return;
    }
    await this.openDevices(run);
  }

  private async openDevices(run: number): Promise<void> {
    this.setState('starting');
    this.status.textContent =
      this.kind === 'audio' ? 'Opening the microphone…' : 'Opening the camera…';
    const constraints: MediaStreamConstraints =
      this.kind === 'audio'
        ? { audio: true }
        : this.kind === 'photo'
          ? { video: true }
          : { video: true, audio: true };
    try {
      const stream = await navigator.mediaDevices.getUserMedia(constraints);
      if (run !== this.generation) {
        stream.getTracks().forEach((t) => t.stop());
        return;
      }
      this.stream = stream;
    } catch (e) {
      if (run !== this.generation) return;
      const name = e instanceof DOMException ? e.name : '';
      const message =
        name === 'NotAllowedError'
          ? 'The browser did not allow the ' +
            (this.kind === 'audio' ? 'microphone' : 'camera') +
            '. Allow it in the address bar and reload.'
          : 'No ' + (this.kind === 'audio' ? 'microphone' : 'camera') + ' could be opened.';
      this.showError('lethe-embed:device-unavailable', 0, message);
      return;
    }
    if (this.kind !== 'audio') {
      this.preview.srcObject = this.stream;
      this.preview.hidden = false;
      void this.preview.play().catch(() => undefined);
    }
    this.recordButton.textContent = this.kind === 'photo' ? 'Take photo' : 'Record';
    this.recordButton.disabled = false;
    this.stopButton.hidden = this.kind === 'photo';
    this.stopButton.disabled = true;
    this.controls.hidden = false;
    this.status.textContent =
      this.kind === 'photo'
        ? 'Ready to take a photo.'
        : this.kind === 'audio'
          ? 'Microphone on. Ready to record.'
          : 'Camera on. Ready to record.';
    this.setState('ready');
  }

  private onRecord(): void {
    if (this.state !== 'ready' || !this.stream) return;
    if (this.kind === 'photo') {
      void this.takePhoto();
      return;
    }
    const run = this.generation;
    const mimeType = pickMimeType(this.kind);
    const recorder = new MediaRecorder(this.stream, mimeType ? { mimeType } : undefined);
    const parts: Blob[] = [];
    recorder.addEventListener('dataavailable', (e) => {
      if (e.data.size > 0) parts.push(e.data);
    });
    recorder.addEventListener('stop', () => {
      if (run !== this.generation) return; // stopped by a restart: nothing is sent
      const type = (recorder.mimeType || mimeType || 'video/webm').split(';')[0];
      this.stopStream();
      void this.send(new Blob(parts, { type }), type);
    });
    this.recorder = recorder;
    recorder.start(250);
    this.recordButton.disabled = true;
    this.stopButton.disabled = false;
    this.stopButton.focus();
    this.status.textContent = 'Recording… press Stop when you are done.';
    this.setState('recording');
  }

  private onStop(): void {
    if (this.recorder && this.recorder.state !== 'inactive') {
      this.stopButton.disabled = true;
      this.recorder.stop();
    }
  }

  private async takePhoto(): Promise<void> {
    const v = this.preview;
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth || 640;
    canvas.height = v.videoHeight || 480;
    const ctx = canvas.getContext('2d');
    if (!ctx) {
      this.showError('lethe-embed:photo-failed', 0, 'The photo could not be taken.');
      return;
    }
    ctx.drawImage(v, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) =>
      canvas.toBlob(resolve, 'image/jpeg', 0.9),
    );
    this.stopStream();
    if (!blob) {
      this.showError('lethe-embed:photo-failed', 0, 'The photo could not be taken.');
      return;
    }
    await this.send(blob, 'image/jpeg');
  }

  private async send(blob: Blob, type: string): Promise<void> {
    const run = this.generation;
    this.controls.hidden = true;
    this.preview.hidden = true;
    this.progress.value = 0;
    this.progress.hidden = false;
    this.status.textContent = 'Uploading… 0%';
    this.setState('uploading');
    const ext = type === 'image/jpeg' ? 'jpg' : type.endsWith('mp4') ? 'mp4' : type.endsWith('ogg') ? 'ogg' : 'webm';
    const metadata: Record<string, string> = {
      filetype: type,
      filename: (this.kind === 'photo' ? 'photo.' : 'recording.') + ext,
    };
    const title = this.getAttribute('title');
    if (title) metadata.title = title;
    let mediaId = '';
    await new Promise<void>((resolve) => {
      const upload = new tus.Upload(blob, {
        endpoint: this.base + '/v1/uploads',
        headers: { Authorization: 'Bearer ' + this.token },
        metadata,
        chunkSize: CHUNK_BYTES,
        // tus resumes from the server's offset after a failed PATCH.
        retryDelays: [0, 1000, 3000, 5000],
        // A fresh recording is never a previous upload's continuation.
        storeFingerprintForResuming: false,
        onProgress: (sent, total) => {
          if (run !== this.generation) return;
          const pct = total > 0 ? Math.floor((sent / total) * 100) : 0;
          this.progress.value = pct;
          this.status.textContent = 'Uploading… ' + pct + '%';
        },
        onAfterResponse: (_req, res) => {
          const id = res.getHeader('Lethe-Media-Id');
          if (id) mediaId = id;
        },
        onError: (err) => {
          resolve();
          if (run !== this.generation) return;
          void this.uploadFailed(err);
        },
        onSuccess: () => {
          resolve();
          if (run !== this.generation) return;
          this.progress.value = 100;
          this.setState('uploaded');
          this.status.textContent = 'Uploaded. Thank you.';
          this.retryButton.hidden = true;
          this.dispatchEvent(
            new CustomEvent('lethe-uploaded', {
              detail: { mediaId },
              bubbles: true,
              composed: true,
            }),
          );
        },
      });
      this.upload = upload;
      upload.start();
    });
  }

  private async uploadFailed(err: Error): Promise<void> {
    const res = (err as tus.DetailedError).originalResponse;
    if (res) {
      const status = res.getStatus();
      let type = `${PROBLEM_BASE}http-${status}`;
      try {
        const body = JSON.parse(res.getBody() || '{}') as { type?: string };
        if (typeof body.type === 'string') type = body.type;
      } catch {
        // not problem+json
      }
      this.fail(type, status);
    } else {
      this.fail(`${PROBLEM_BASE}network`, 0);
    }
    // What was sent stays on the server: a retry resumes from its offset.
    this.retryButton.hidden = false;
  }

  private onRetry(): void {
    if (!this.upload) return;
    this.alert.textContent = '';
    this.retryButton.hidden = true;
    this.setState('uploading');
    this.upload.start();
  }

  private fail(type: string, status: number): void {
    this.showError(type, status, plainWords(reasonOf(type), status));
  }

  private showError(type: string, status: number, message: string): void {
    this.setState('error');
    this.status.textContent = '';
    this.alert.textContent = message;
    this.dispatchEvent(errorEvent({ type, status, message }));
  }

  private stopStream(): void {
    if (this.recorder && this.recorder.state !== 'inactive') {
      try {
        this.recorder.stop();
      } catch {
        // already stopped
      }
    }
    this.recorder = null;
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.preview.srcObject = null;
  }
}
