// Client-side navigation with the History API: links stay real <a href>
// elements (keyboard, middle click and "open in new tab" work), and a
// plain click moves to the page without reloading it.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'lethe:navigate';

export function navigate(path: string, replace = false): void {
  if (path === location.pathname + location.search) return;
  if (replace) {
    history.replaceState(null, '', path);
  } else {
    history.pushState(null, '', path);
  }
  window.dispatchEvent(new Event(CHANGE));
}

// The current path; re-renders on navigation and on Back/Forward.
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

type LinkProps = {
  href: string;
  class?: string;
  'aria-current'?: 'page';
  children: ComponentChildren;
};

export function Link({ href, children, class: className, 'aria-current': current }: LinkProps) {
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={onClick} class={className} aria-current={current}>
      {children}
    </a>
  );
}
