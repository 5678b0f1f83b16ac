import test from 'ava';
import { parseDeb822, parseOneLine, mirrorsFor, debLines } from './apt-sources.js';

const deb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.example.test/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.example.test/debian
Suites: bookworm
Components: main

Types: deb
URIs: http://deb.example.test/debian-security
Suites: bookworm-security
Components: main contrib
Enabled: yes

Types: deb
URIs: http://disabled.example.test/debian
Suites: bookworm
Components: main
Enabled: no
`;

test('deb822: every deb URI×suite, skipping deb-src and disabled stanzas', (t) => {
  const got = parseDeb822(deb822, 'x.sources');
  t.deepEqual(
    got.map((s) => `${s.uri} ${s.suite} ${s.components.join(',')}`),
    [
      'http://deb.example.test/debian bookworm main',
      'http://deb.example.test/debian bookworm-updates main',
      'http://deb.example.test/debian-security bookworm-security main,contrib',
    ],
  );
  t.is(got[2].origin, 'x.sources:13');
});

test('one-line sources.list: options in brackets and comments are ignored', (t) => {
  const got = parseOneLine(
    '# comment\ndeb [signed-by=/k.gpg arch=amd64] http://m.example.test/debian bookworm main non-free\ndeb-src http://m.example.test/debian bookworm main\n',
    'sources.list',
  );
  t.deepEqual(got, [{ uri: 'http://m.example.test/debian', suite: 'bookworm', components: ['main', 'non-free'], origin: 'sources.list:2' }]);
});

test('mirrorsFor keeps the release and its -updates/-security suites', (t) => {
  const all = parseDeb822(deb822, 'x.sources');
  t.deepEqual(debLines(mirrorsFor('bookworm', all)), [
    'deb http://deb.example.test/debian bookworm main',
    'deb http://deb.example.test/debian bookworm-updates main',
    'deb http://deb.example.test/debian-security bookworm-security main contrib',
  ]);
});

test('mirrorsFor names what it saw when the release has no source', (t) => {
  const err = t.throws(() => mirrorsFor('trixie', parseDeb822(deb822, 'x.sources')));
  t.regex(err!.message, /no apt source for Debian trixie.*deb\.example\.test\/debian bookworm \(x\.sources:1\)/);
});
