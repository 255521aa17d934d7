import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseReadme } from '../../support/readme.ts';

/**
 * Every link of the README leads somewhere on a fresh clone: an `#anchor` to a
 * heading of the README, a relative link to a file the repository holds (and,
 * with `#anchor`, to a heading of that Markdown file). Nothing points outside
 * the repository: a link is either one of those, a page on the web (https), or
 * a page of the local platform (http://127.0.0.1:3000/…, which the README's
 * end-to-end test asks the running platform for).
 */
const root = resolve(import.meta.dirname, '..', '..', '..');
const readme = parseReadme(readFileSync(join(root, 'README.md'), 'utf8'));
const hrefs = [...new Set(readme.links.map((link) => link.href))];
/** What a clone has: tracked files and new ones that are not ignored. */
const cloned = new Set(
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== ''),
);

const WEB = /^https:\/\//;
const LOCAL_PLATFORM = /^http:\/\/127\.0\.0\.1:3000\//;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

function anchorsOf(file: string): Set<string> {
  return file === 'README.md' ? readme.anchors : parseReadme(readFileSync(join(root, file), 'utf8')).anchors;
}

/** Why a link does not resolve, or undefined when it does. */
function brokenBecause(href: string): string | undefined {
  if (WEB.test(href) || LOCAL_PLATFORM.test(href)) return undefined;
  if (SCHEME.test(href) || href.startsWith('/')) return 'not a page on the web, of the local platform or of the repository';
  const [path = '', fragment] = href.split('#', 2) as [string, string | undefined];
  const file = path === '' ? 'README.md' : relative(root, resolve(root, decodeURIComponent(path)));
  if (file.startsWith(`..${sep}`) || file === '..') return 'outside the repository';
  if (!cloned.has(file.split(sep).join('/'))) return `${file} is not in the repository`;
  if (fragment !== undefined) {
    if (!file.endsWith('.md')) return `an anchor into ${file}, which is not Markdown`;
    if (!anchorsOf(file).has(decodeURIComponent(fragment))) return `${file} has no heading whose anchor is #${fragment}`;
  }
  return undefined;
}

describe('the README’s links', () => {
  it('has links of each kind (anchors, repository files), so that the checks below check something', () => {
    expect(hrefs.filter((href) => href.startsWith('#')).length).toBeGreaterThan(0);
    expect(hrefs.filter((href) => !SCHEME.test(href) && !href.startsWith('#')).length).toBeGreaterThan(0);
  });

  it('leads every link to a heading, a file of the repository or a page, never outside the repository', () => {
    const broken = hrefs.map((href) => [href, brokenBecause(href)] as const).filter(([, reason]) => reason !== undefined);
    expect(broken).toEqual([]);
  });

  it('tells a broken anchor, a missing file and a path outside the repository from good links', () => {
    expect(brokenBecause('#try-it')).toBeUndefined();
    expect(brokenBecause('#providers-and-the-provider-broker')).toMatch(/no heading/);
    expect(brokenBecause('docs/replay-page.png')).toBeUndefined();
    expect(brokenBecause('docs/no-such-page.png')).toMatch(/not in the repository/);
    expect(brokenBecause('../shared/DESIGN.md')).toMatch(/outside the repository/);
    expect(brokenBecause('/work/shared/DESIGN.md')).toMatch(/not a page/);
    expect(brokenBecause('file:///etc/hosts')).toMatch(/not a page/);
    expect(brokenBecause('README.md#start-here')).toBeUndefined();
    expect(brokenBecause('README.md#nowhere')).toMatch(/no heading/);
  });
});
