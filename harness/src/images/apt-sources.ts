/**
 * The machine's own Debian mirror, read from its apt sources (deb822
 * /etc/apt/sources.list.d/*.sources and one-line sources.list). Images are
 * built from exactly these mirrors, so a build reaches nothing the host
 * itself does not already use. Never hard-coded.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
  /** Where it was read, e.g. "/etc/apt/sources.list.d/debian.sources:3". */
  origin: string;
}

/** Parse a deb822 .sources file: blank-line separated stanzas, `Types: deb` only. */
export function parseDeb822(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  const lines = text.split('\n');
  let fields = new Map<string, string>();
  let start = 1;
  let last = '';
  const flush = () => {
    if (fields.size > 0) {
      const types = (fields.get('types') ?? '').split(/\s+/);
      const enabled = (fields.get('enabled') ?? 'yes').toLowerCase() !== 'no';
      if (enabled && types.includes('deb')) {
        const comps = (fields.get('components') ?? '').split(/\s+/).filter(Boolean);
        for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) {
          for (const suite of (fields.get('suites') ?? '').split(/\s+/).filter(Boolean)) {
            out.push({ uri, suite, components: comps, origin: `${file}:${start}` });
          }
        }
      }
    }
    fields = new Map();
  };
  lines.forEach((raw, i) => {
    if (raw.trim() === '') {
      flush();
      start = i + 2;
      return;
    }
    if (raw.startsWith('#')) return;
    if (/^\s/.test(raw) && last) {
      fields.set(last, `${fields.get(last)} ${raw.trim()}`);
      return;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) return;
    last = raw.slice(0, colon).trim().toLowerCase();
    fields.set(last, raw.slice(colon + 1).trim());
  });
  flush();
  return out;
}

/** Parse one-line style: `deb [options] URI SUITE COMPONENT…`. */
export function parseOneLine(text: string, file: string): AptSource[] {
  const out: AptSource[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line.startsWith('deb ') && !line.startsWith('deb\t')) return;
    const rest = line.slice(3).trim().replace(/^\[[^\]]*\]\s*/, '');
    const [uri, suite, ...components] = rest.split(/\s+/);
    if (uri && suite) out.push({ uri, suite, components, origin: `${file}:${i + 1}` });
  });
  return out;
}

/** Every enabled `deb` source of this machine, in apt's reading order. */
export function readAptSources(root = '/etc/apt'): AptSource[] {
  const found: AptSource[] = [];
  const list = join(root, 'sources.list');
  if (existsSync(list)) found.push(...parseOneLine(readFileSync(list, 'utf8'), list));
  const dir = join(root, 'sources.list.d');
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      const file = join(dir, name);
      if (name.endsWith('.sources')) found.push(...parseDeb822(readFileSync(file, 'utf8'), file));
      else if (name.endsWith('.list')) found.push(...parseOneLine(readFileSync(file, 'utf8'), file));
    }
  }
  return found;
}

/** The Debian release codename of this machine (VERSION_CODENAME in os-release). */
export function hostCodename(osRelease = '/etc/os-release'): string {
  const text = existsSync(osRelease) ? readFileSync(osRelease, 'utf8') : '';
  const m = /^VERSION_CODENAME="?([a-z]+)"?$/m.exec(text);
  if (!m) throw new Error(`${osRelease} has no VERSION_CODENAME; images/base needs a Debian host to know which release to bootstrap`);
  return m[1];
}

/**
 * The sources an image of `codename` is bootstrapped from: those of the
 * host whose suite is that release or one of its -updates/-security suites.
 */
export function mirrorsFor(codename: string, sources: AptSource[]): AptSource[] {
  const picked = sources.filter((s) => s.suite === codename || s.suite.startsWith(`${codename}-`));
  if (picked.length === 0) {
    const seen = sources.map((s) => `${s.uri} ${s.suite} (${s.origin})`).join('; ') || 'none';
    throw new Error(
      `no apt source for Debian ${codename} on this machine (sources seen: ${seen}); ` +
        'add the mirror to /etc/apt/sources.list.d/ — images are built only from the host\'s own mirror',
    );
  }
  return picked;
}

/** The sources as one-line `deb URI SUITE COMPONENTS` entries (mmdebstrap's mirror arguments). */
export function debLines(sources: AptSource[]): string[] {
  return sources.map((s) => `deb ${s.uri} ${s.suite} ${(s.components.length ? s.components : ['main']).join(' ')}`);
}
