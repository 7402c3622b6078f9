import { parse as parseYaml } from 'yaml';

/**
 * The bytes OPA hashes for a structured bundle file (data.json, data.yaml, .manifest): the document with
 * every object's keys sorted (Go byte order, last duplicate wins), no whitespace, numbers exactly as
 * written (OPA decodes with UseNumber), strings as Go's encoder writes them without HTML escaping.
 * A JSON file is read from its text, so `1.0` stays `1.0`; JSON.parse would have made it `1`.
 */
export function canonicalJson(text: string): string {
  const reader = new Reader(text);
  const out = reader.value();
  reader.end();
  return out;
}

/** YAML data as OPA hashes it: converted to JSON first, so numbers are written as JSON writes them. */
export function canonicalYaml(text: string): string {
  return canonicalJson(JSON.stringify(parseYaml(text) ?? null));
}

/** Go's encoding/json string form: JSON.stringify's, plus the two line separators Go escapes. */
function goString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Go's sort.Strings compares UTF-8 bytes; JS compares UTF-16 units, which differ above U+FFFF. */
function byUtf8(a: [string, string], b: [string, string]): number {
  return Buffer.compare(Buffer.from(a[0], 'utf8'), Buffer.from(b[0], 'utf8'));
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// JSON forbids raw control characters in strings, so the pattern must name them.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;
/** Nesting beyond this is refused rather than risk the stack on a hostile file. */
const MAX_DEPTH = 1000;

class Reader {
  private at = 0;
  private depth = 0;

  constructor(private readonly text: string) {}

  value(): string {
    this.skip();
    const c = this.text[this.at];
    if (c === '{') return this.nested(() => this.object());
    if (c === '[') return this.nested(() => this.array());
    if (c === '"') return goString(JSON.parse(this.match(STRING, 'a string')) as string);
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.at)) {
        this.at += literal.length;
        return literal;
      }
    }
    return this.match(NUMBER, 'a value');
  }

  end(): void {
    this.skip();
    if (this.at !== this.text.length) throw this.error('end of document');
  }

  private object(): string {
    const members = new Map<string, string>();
    this.at++;
    this.skip();
    if (this.text[this.at] === '}') this.at++;
    else {
      for (;;) {
        this.skip();
        const key = JSON.parse(this.match(STRING, 'an object key')) as string;
        this.expect(':');
        members.delete(key);
        members.set(key, this.value());
        if (this.separator('}')) break;
      }
    }
    return `{${[...members].sort(byUtf8).map(([k, v]) => `${goString(k)}:${v}`).join(',')}}`;
  }

  private array(): string {
    const items: string[] = [];
    this.at++;
    this.skip();
    if (this.text[this.at] === ']') this.at++;
    else {
      do items.push(this.value());
      while (!this.separator(']'));
    }
    return `[${items.join(',')}]`;
  }

  /** Reads "," (more to come: false) or the closing bracket (true). */
  private separator(close: string): boolean {
    this.skip();
    const c = this.text[this.at++];
    if (c === close) return true;
    if (c === ',') return false;
    throw this.error(`"," or "${close}"`);
  }

  private nested(read: () => string): string {
    if (++this.depth > MAX_DEPTH) throw new Error(`nested deeper than ${MAX_DEPTH}`);
    const out = read();
    this.depth--;
    return out;
  }

  private expect(c: string): void {
    this.skip();
    if (this.text[this.at] !== c) throw this.error(`"${c}"`);
    this.at++;
  }

  private match(pattern: RegExp, what: string): string {
    pattern.lastIndex = this.at;
    const m = pattern.exec(this.text);
    if (!m || m[0] === '') throw this.error(what);
    this.at += m[0].length;
    return m[0];
  }

  private skip(): void {
    WHITESPACE.lastIndex = this.at;
    WHITESPACE.exec(this.text);
    this.at = WHITESPACE.lastIndex;
  }

  private error(expected: string): Error {
    return new Error(`invalid JSON at offset ${this.at}: expected ${expected}`);
  }
}
