// What both elements share: building DOM without innerHTML (pages that
// enforce Trusted Types allow no HTML sinks), stylesheets adopted by
// shadow roots (no inline <style>, which a strict CSP would block),
// problem+json errors told in plain words, and the events they dispatch.

/** The detail of a `lethe-error` event. */
export interface LetheErrorDetail {
  /** The problem's type URI (https://lethe.dev/problems/...), or a
   *  `lethe-embed:` one for errors found in the browser. */
  type: string;
  /** The HTTP status, 0 when there was no answer. */
  status: number;
  /** What the element showed, in plain words. */
  message: string;
}

export const PROBLEM_BASE = 'https://lethe.dev/problems/';

/** An element with attributes and children; text children become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) el.append(child);
  return el;
}

/** A constructable stylesheet (adoptedStyleSheets), made once per text. */
export function sheet(css: string): CSSStyleSheet {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

/** The styles both elements start from; the host page may set the
 *  custom properties (--lethe-accent, --lethe-radius, --lethe-font). */
export const baseSheet = sheet(`
:host { display: block; font: var(--lethe-font, 1rem/1.5 system-ui, sans-serif);
  color: CanvasText; max-width: 40rem; }
:host([hidden]) { display: none; }
* { box-sizing: border-box; }
button { font: inherit; padding: .5rem 1rem; border-radius: var(--lethe-radius, .375rem);
  border: 1px solid #555; background: ButtonFace; color: ButtonText; cursor: pointer; }
button.primary { background: var(--lethe-accent, #1d4ed8); color: #fff; border-color: transparent; }
button:disabled { opacity: .55; cursor: not-allowed; }
button:focus-visible, input:focus-visible, video:focus-visible {
  outline: 3px solid var(--lethe-accent, #1d4ed8); outline-offset: 2px; }
.alert { border: 2px solid #b91c1c; background: #fef2f2; color: #7f1d1d; padding: .75rem;
  border-radius: var(--lethe-radius, .375rem); margin: .5rem 0; }
.alert:empty { display: none; }
.status { min-height: 1.5em; margin: .5rem 0; }
.row { display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; margin: .5rem 0; }
video, img { display: block; width: 100%; background: #000; border-radius: var(--lethe-radius, .375rem); }
video[hidden], img[hidden], [hidden] { display: none !important; }
progress { width: 100%; height: 1.25rem; }
`);

export function errorEvent(detail: LetheErrorDetail): CustomEvent<LetheErrorDetail> {
  return new CustomEvent('lethe-error', { detail, bubbles: true, composed: true });
}

/** A problem+json answer read from `res`, or a stand-in when it is not one. */
export async function readProblem(
  res: Response,
): Promise<{ type: string; title: string; detail: string; status: number }> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // Not JSON: judged by the status alone.
  }
  return {
    type: typeof body.type === 'string' ? body.type : `${PROBLEM_BASE}http-${res.status}`,
    title: typeof body.title === 'string' ? body.title : res.statusText,
    detail: typeof body.detail === 'string' ? body.detail : '',
    status: res.status,
  };
}

/** The last segment of a problem type URI ("upload-token-scope"). */
export function reasonOf(type: string): string {
  return type.startsWith(PROBLEM_BASE) ? type.slice(PROBLEM_BASE.length) : type;
}

/** What an error from the server means to the person in front of the page. */
export function plainWords(reason: string, status: number): string {
  switch (reason) {
    case 'unauthenticated':
      return 'This recording link is no longer valid. Reload the page to get a new one.';
    case 'origin-not-allowed':
      return 'This page is not allowed to use this Lethe account.';
    case 'upload-token-scope':
      return 'This upload is not allowed by the link it was given.';
    case 'upload-token-size':
    case 'payload-too-large':
      return 'The recording is too large to upload.';
    case 'upload-token-kind':
    case 'unsupported-media-type':
      return 'This kind of recording cannot be uploaded here.';
    case 'capture-notice-not-set':
      return 'Recording is not set up for this app yet: it has no notice to show you.';
    case 'account-suspended':
      return 'This app cannot accept recordings right now.';
    case 'consent-required':
      return 'Your consent is needed before anything is recorded.';
    case 'undecodable-media':
      return 'The recording could not be read. Please try again.';
    case 'rate-limited':
    case 'too-many-requests':
      return 'Too many attempts. Please wait a moment and try again.';
  }
  if (status === 0) return 'Lethe could not be reached. Check the connection and try again.';
  if (status >= 500) return 'Lethe had a problem. Please try again later.';
  return 'Something went wrong (' + reason + ').';
}

/** The base URL without a trailing slash. */
export function trimBase(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}
