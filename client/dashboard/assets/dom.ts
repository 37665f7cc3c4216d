// Small DOM helpers. Job data only ever enters the page through `text` (textContent) and
// attributes set one by one — never innerHTML.

export const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function showError(err: unknown): void {
  const p = byId('error');
  p.textContent = String(err instanceof Error ? err.message : err);
  p.hidden = false;
}
