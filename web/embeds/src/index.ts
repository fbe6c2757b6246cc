// The Lethe embeds (issue 15): <lethe-recorder> and <lethe-player>, plain
// custom elements with shadow DOM, defined when this module loads:
//   <script type="module" src="https://LETHE/embed/lethe-embeds.js"></script>
// Loading it twice (or beside another copy) defines each element once.
import { LethePlayer } from './player';
import { LetheRecorder } from './recorder';

export { LethePlayer, LetheRecorder };
export type { LetheErrorDetail } from './common';
export {
  ERASED_MESSAGE,
  EXPIRED_MESSAGE,
  INVALID_MESSAGE,
  NOT_ALLOWED_MESSAGE,
  UNPLAYABLE_MESSAGE,
  UNREACHABLE_MESSAGE,
} from './player';

if (!customElements.get('lethe-recorder')) customElements.define('lethe-recorder', LetheRecorder);
if (!customElements.get('lethe-player')) customElements.define('lethe-player', LethePlayer);

declare global {
  interface HTMLElementTagNameMap {
    'lethe-recorder': LetheRecorder;
    'lethe-player': LethePlayer;
  }
}
