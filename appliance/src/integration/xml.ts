/**
 * A tiny XML writer for the integration APIs: elements with attributes and
 * escaped text, nothing parsed, nothing from the caller ever unescaped.
 */
export type XmlNode = string | number | null | undefined | false | XmlElement;

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string | number | undefined>>;
  readonly children: readonly XmlNode[];
}

/** XML 1.0 forbids most control characters even escaped: they are dropped. */
function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '');
}

export function escapeXml(s: string): string {
  return clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function x(name: string, attrs: Readonly<Record<string, string | number | undefined>> = {}, ...children: XmlNode[]): XmlElement {
  return { name, attrs, children };
}

function render(node: XmlNode): string {
  if (node === null || node === undefined || node === false) return '';
  if (typeof node === 'string' || typeof node === 'number') return escapeXml(String(node));
  const attrs = Object.entries(node.attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  const inner = node.children.map(render).join('');
  return inner ? `<${node.name}${attrs}>${inner}</${node.name}>` : `<${node.name}${attrs}/>`;
}

export function xmlDocument(root: XmlElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${render(root)}\n`;
}
