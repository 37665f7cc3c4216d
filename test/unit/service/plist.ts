// A tiny strict parser for the XML property lists procd writes (dict, array, string, integer,
// true, false), so the plist is checked even where python3's plistlib is not available. It
// rejects anything it does not understand rather than guessing.

export type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(text: string): string {
  if (/&(?!(amp|lt|gt|quot|apos);)/.test(text)) throw new Error(`bare & or unknown entity in: ${text}`);
  return text.replace(/&([a-z]+);/g, (m, name: string) => {
    const v = ENTITIES[name];
    if (v === undefined) throw new Error(`unknown entity ${m}`);
    return v;
  });
}

export function parsePlist(xml: string): PlistValue {
  // Prolog: the XML declaration, then comments and the DOCTYPE in any order.
  let rest = xml.replace(/^<\?xml [^?]*\?>\s*/, '');
  const skip = () => {
    for (;;) {
      const m = /^\s*(<!--(?:(?!--)[\s\S])*-->|<!DOCTYPE plist[^>]*>)/.exec(rest);
      if (!m) break;
      rest = rest.slice(m[0].length);
    }
    rest = rest.replace(/^\s+/, '');
  };
  const expect = (tag: string) => {
    skip();
    if (!rest.startsWith(tag)) throw new Error(`expected ${tag} at: ${rest.slice(0, 40)}`);
    rest = rest.slice(tag.length);
  };
  const text = (tag: string): string => {
    const end = rest.indexOf(`</${tag}>`);
    if (end < 0) throw new Error(`unterminated <${tag}>`);
    const body = rest.slice(0, end);
    if (body.includes('<')) throw new Error(`markup inside <${tag}>: ${body}`);
    rest = rest.slice(end + tag.length + 3);
    return unescapeXml(body);
  };
  const value = (): PlistValue => {
    skip();
    const m = /^<(dict|array|string|integer|true\/|false\/)>/.exec(rest);
    if (!m) throw new Error(`expected a value at: ${rest.slice(0, 40)}`);
    rest = rest.slice(m[0].length);
    switch (m[1]) {
      case 'true/':
        return true;
      case 'false/':
        return false;
      case 'string':
        return text('string');
      case 'integer': {
        const t = text('integer').trim();
        if (!/^-?\d+$/.test(t)) throw new Error(`bad integer ${t}`);
        return Number(t);
      }
      case 'array': {
        const items: PlistValue[] = [];
        for (skip(); !rest.startsWith('</array>'); skip()) items.push(value());
        rest = rest.slice('</array>'.length);
        return items;
      }
      default: {
        const dict: Record<string, PlistValue> = {};
        for (skip(); !rest.startsWith('</dict>'); skip()) {
          expect('<key>');
          const key = text('key');
          if (key in dict) throw new Error(`duplicate key ${key}`);
          dict[key] = value();
        }
        rest = rest.slice('</dict>'.length);
        return dict;
      }
    }
  };
  expect('<plist version="1.0">');
  const root = value();
  expect('</plist>');
  skip();
  if (rest !== '') throw new Error(`trailing content: ${rest.slice(0, 40)}`);
  return root;
}
