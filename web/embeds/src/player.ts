// <lethe-player>: plays a media through a short-lived signed link
// (GET /v1/media/{id}/content?account=&expires=&sig=), with a poster from
// /v1/media/{id}/poster when one is given. Photos show as an image.
//
// It checks the link (one byte, not cached) before playing: the browser
// may hold an earlier copy of the URL after the recording was erased.
// When the media cannot be played the element says why, in plain words,
// in a role=alert box, and dispatches `lethe-error` {type, status,
// message}: it asks Lethe again with fetch() (headers only, the body is
// not read unless it is a problem) and reads the problem's type. Erased
// media (404, 410, or 412 key-destroyed) read "This recording has been
// erased."; an expired link "This link has expired." (README.md lists
// them all).
//
// Attributes: src, poster (optional). Controls: Play/Pause, a position
// slider and Mute, all buttons or inputs with labels, usable with the
// keyboard (Space or Enter on a button, arrows on the slider).
import {
  baseSheet,
  errorEvent,
  h,
  readProblem,
  reasonOf,
  sheet,
  PROBLEM_BASE,
} from './common';

export const ERASED_MESSAGE = 'This recording has been erased.';
export const EXPIRED_MESSAGE = 'This link has expired.';
export const INVALID_MESSAGE = 'This link is not valid.';
export const NOT_ALLOWED_MESSAGE = 'This page is not allowed to play this recording.';
export const UNPLAYABLE_MESSAGE = 'This recording cannot be played in this browser.';
export const UNREACHABLE_MESSAGE = 'The recording could not be loaded. Check the connection and try again.';

const playerSheet = sheet(`
.controls { display: flex; gap: .5rem; align-items: center; margin-top: .5rem; }
.controls input[type=range] { flex: 1; }
.time { font-variant-numeric: tabular-nums; min-width: 6.5em; text-align: right; }
`);

function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) s = 0;
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  return m + ':' + String(sec).padStart(2, '0');
}

/** The link's expiry (its `expires` parameter, epoch ms), or null. */
function linkExpiry(src: string): number | null {
  try {
    const v = new URL(src, document.baseURI).searchParams.get('expires');
    return v && /^\d+$/.test(v) ? Number(v) : null;
  } catch {
    return null;
  }
}

export class LethePlayer extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['src', 'poster'];
  }

  private readonly root: ShadowRoot;
  private readonly video = h('video', {
    part: 'video',
    playsinline: true,
    preload: 'metadata',
    'aria-label': 'Recording',
  });
  private readonly image = h('img', { part: 'image', alt: 'Photo', hidden: true });
  private readonly controls = h('div', { class: 'controls', part: 'controls' });
  private readonly playButton = h('button', { type: 'button', class: 'primary' }, 'Play');
  private readonly seek = h('input', {
    type: 'range',
    min: '0',
    max: '0',
    step: '0.1',
    value: '0',
    'aria-label': 'Position',
  });
  private readonly time = h('span', { class: 'time', 'aria-hidden': 'true' }, '0:00 / 0:00');
  private readonly muteButton = h('button', { type: 'button', 'aria-pressed': 'false' }, 'Mute');
  private readonly alert = h('div', { class: 'alert', role: 'alert' });
  private generation = 0;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.root.adoptedStyleSheets = [baseSheet, playerSheet];
    this.controls.append(this.playButton, this.seek, this.time, this.muteButton);
    this.root.append(
      h(
        'div',
        { part: 'container', role: 'group', 'aria-label': 'Player' },
        this.video,
        this.image,
        this.controls,
        this.alert,
      ),
    );
    this.playButton.addEventListener('click', () => this.toggle());
    this.muteButton.addEventListener('click', () => {
      this.video.muted = !this.video.muted;
    });
    this.seek.addEventListener('input', () => {
      this.video.currentTime = Number(this.seek.value);
    });
    const v = this.video;
    v.addEventListener('play', () => this.sync());
    v.addEventListener('pause', () => this.sync());
    v.addEventListener('ended', () => this.sync());
    v.addEventListener('volumechange', () => this.sync());
    v.addEventListener('timeupdate', () => this.sync());
    v.addEventListener('durationchange', () => this.sync());
    v.addEventListener('loadedmetadata', () => this.sync());
    v.addEventListener('error', () => {
      if (v.getAttribute('src')) void this.inspect(v.getAttribute('src') || '', this.generation, false);
    });
    // Space or k toggles play on the video itself when it has the focus.
    v.tabIndex = 0;
    v.addEventListener('keydown', (e) => {
      if (e.key === ' ' || e.key === 'k') {
        e.preventDefault();
        this.toggle();
      }
    });
  }

  /** The <video> inside (tests read currentTime from it). */
  get media(): HTMLVideoElement {
    return this.video;
  }

  /** The message shown when the media cannot be played, or "". */
  get errorMessage(): string {
    return this.alert.textContent || '';
  }

  connectedCallback(): void {
    this.load();
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (old !== value && this.isConnected) this.load();
  }

  play(): Promise<void> {
    return this.video.play();
  }

  pause(): void {
    this.video.pause();
  }

  private load(): void {
    this.generation++;
    this.alert.textContent = '';
    this.setAttribute('state', 'loading');
    this.image.hidden = true;
    this.video.hidden = false;
    this.controls.hidden = false;
    const poster = this.getAttribute('poster');
    if (poster) this.video.poster = poster;
    else this.video.removeAttribute('poster');
    const src = this.getAttribute('src');
    if (!src) {
      this.video.removeAttribute('src');
      this.setAttribute('state', 'idle');
      return;
    }
    // The link is checked first (one byte): a browser may still hold an
    // earlier copy of the same URL and play it after the recording was
    // erased; Lethe's answer now is what counts.
    this.video.removeAttribute('src');
    const run = this.generation;
    void this.inspect(src, run, true).then((playable) => {
      if (!playable || run !== this.generation) return;
      this.video.addEventListener('loadedmetadata', () => this.setAttribute('state', 'ready'), {
        once: true,
      });
      this.video.src = src;
      this.video.load();
    });
  }

  private toggle(): void {
    if (this.video.paused || this.video.ended) void this.video.play().catch(() => undefined);
    else this.video.pause();
  }

  private sync(): void {
    const v = this.video;
    const playing = !v.paused && !v.ended;
    this.playButton.textContent = playing ? 'Pause' : 'Play';
    if (playing) this.setAttribute('state', 'playing');
    else if (this.getAttribute('state') === 'playing') this.setAttribute('state', 'ready');
    this.muteButton.textContent = v.muted ? 'Unmute' : 'Mute';
    this.muteButton.setAttribute('aria-pressed', String(v.muted));
    const duration = Number.isFinite(v.duration) ? v.duration : 0;
    this.seek.max = String(duration);
    this.seek.value = String(v.currentTime);
    this.seek.setAttribute('aria-valuetext', clock(v.currentTime) + ' of ' + clock(duration));
    this.time.textContent = clock(v.currentTime) + ' / ' + clock(duration);
  }

  // Asks Lethe about the link: before playing (`before`, one byte, so
  // nothing much is fetched twice) and when the <video> failed. Only the
  // headers are awaited unless the answer is a problem. Returns true when
  // the <video> should play it; else the element shows why (or the image).
  private async inspect(src: string, run: number, before: boolean): Promise<boolean> {
    const abort = new AbortController();
    let res: Response;
    try {
      res = await fetch(src, {
        credentials: 'omit',
        cache: 'no-store',
        signal: abort.signal,
        headers: before ? { Range: 'bytes=0-0' } : {},
      });
    } catch {
      if (run !== this.generation) return false;
      // No readable answer: an expired link is known from the link itself.
      const expires = linkExpiry(src);
      if (expires !== null && expires <= Date.now()) {
        this.show(`${PROBLEM_BASE}unauthenticated`, 401, EXPIRED_MESSAGE);
        return false;
      }
      // Before playing, let the <video> try (it needs no CORS); after, say so.
      if (before) return true;
      this.show('lethe-embed:unreachable', 0, UNREACHABLE_MESSAGE);
      return false;
    }
    if (run !== this.generation) {
      abort.abort();
      return false;
    }
    if (res.ok) {
      const type = res.headers.get('content-type') || '';
      abort.abort();
      if (type.startsWith('image/')) {
        this.showImage(src);
        return false;
      }
      if (before) return true;
      this.show('lethe-embed:unplayable', res.status, UNPLAYABLE_MESSAGE);
      return false;
    }
    const p = await readProblem(res);
    if (run !== this.generation) return false;
    const reason = reasonOf(p.type);
    let message: string;
    // Erased media: the row is gone (404), gone for good (410), or its key
    // is destroyed while the purge has not run yet (412 key-destroyed).
    if (p.status === 404 || p.status === 410 || reason === 'key-destroyed') {
      message = ERASED_MESSAGE;
    } else if (p.status === 401) {
      const expires = linkExpiry(src);
      message =
        reason === 'link-expired' || (expires !== null && expires <= Date.now())
          ? EXPIRED_MESSAGE
          : INVALID_MESSAGE;
    } else if (reason === 'origin-not-allowed') {
      message = NOT_ALLOWED_MESSAGE;
    } else {
      message = UNREACHABLE_MESSAGE;
    }
    this.show(p.type, p.status, message);
    return false;
  }

  private showImage(src: string): void {
    this.video.hidden = true;
    this.controls.hidden = true;
    this.image.src = src;
    this.image.hidden = false;
    this.setAttribute('state', 'ready');
  }

  private show(type: string, status: number, message: string): void {
    this.video.hidden = true;
    this.controls.hidden = true;
    this.alert.textContent = message;
    this.setAttribute('state', 'error');
    this.dispatchEvent(errorEvent({ type, status, message }));
  }
}
