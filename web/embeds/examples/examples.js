// The examples page (served at /embed/examples): wires its two forms to
// the elements. No inline script: the page's CSP forbids it.
const $ = (id) => document.getElementById(id);

function log(list, name, detail) {
  const li = document.createElement('li');
  li.textContent = name + ' ' + JSON.stringify(detail);
  $(list).prepend(li);
}

$('rec-endpoint').value = location.origin;
$('usage').textContent = [
  `<script type="module" src="${location.origin}/embed/lethe-embeds.js"></script>`,
  '',
  `<lethe-recorder endpoint="${location.origin}" upload-token="lut_..." kind="video"></lethe-recorder>`,
  '<lethe-player src="SIGNED LINK" poster="SIGNED POSTER LINK"></lethe-player>',
  '',
  "recorder.addEventListener('lethe-uploaded', (e) => save(e.detail.mediaId));",
].join('\n');

$('recorder-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const r = $('recorder');
  r.setAttribute('kind', $('rec-kind').value);
  const title = $('rec-title').value.trim();
  if (title) r.setAttribute('title', title);
  else r.removeAttribute('title');
  r.setAttribute('endpoint', $('rec-endpoint').value.trim());
  r.setAttribute('upload-token', $('rec-token').value.trim());
});

$('player-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const p = $('player');
  const poster = $('play-poster').value.trim();
  if (poster) p.setAttribute('poster', poster);
  else p.removeAttribute('poster');
  p.setAttribute('src', $('play-src').value.trim());
});

for (const name of ['lethe-consent', 'lethe-uploaded', 'lethe-error']) {
  $('recorder').addEventListener(name, (e) => log('recorder-events', name, e.detail));
  $('player').addEventListener(name, (e) => log('player-events', name, e.detail));
}
