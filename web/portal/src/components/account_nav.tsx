// The tabs of one account's sections: links (each section is a page of its
// own, /accounts/{id}/{section}), the current one marked aria-current.
import { Link } from '../router';
import { accountPath } from '../routes';

export type Section = 'overview' | 'media' | 'privacy' | 'usage';

const SECTIONS: Array<[Section, string]> = [
  ['overview', 'Overview'],
  ['media', 'Media'],
  ['privacy', 'Privacy'],
  ['usage', 'Usage'],
];

export function sectionPath(id: string, section: Section): string {
  return section === 'overview' ? accountPath(id) : `${accountPath(id)}/${section}`;
}

export function AccountNav({ id, current }: { id: string; current: Section }) {
  return (
    <nav aria-label="Account sections" class="tabs">
      <ul>
        {SECTIONS.map(([section, name]) => (
          <li key={section}>
            <Link href={sectionPath(id, section)} aria-current={section === current ? 'page' : undefined}>
              {name}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
