import GithubSlugger from 'github-slugger';
import { Lexer, walkTokens, type Token, type Tokens } from 'marked';

/**
 * The README as the README test reads it: its shell blocks in order, with the
 * section each belongs to and what its fence says about running it, and every
 * link it holds.
 *
 * A shell block is a ```sh fence. Its info string may say how to run it:
 *   ```sh                      run it
 *   ```sh skip: <reason>       never run here (the reason is listed by the test)
 *   ```sh needs: <command>     run only where <command> is installed
 * Inside a block, a line `# Terminal N…` starts what a reader types in another
 * terminal: every terminal of a block but the last one keeps running (a server),
 * the last one is where the reader goes on.
 */
export interface ShellBlock {
  /** 1-based, among the shell blocks. */
  ordinal: number;
  /** 1-based line of the opening fence. */
  line: number;
  /** The headings it is under, below the title: `Reproducibility › Walkthrough`. */
  section: string;
  /** `Reproducibility › Walkthrough #2`: the section and the block's rank within it. */
  name: string;
  text: string;
  skip?: string;
  needs?: string;
  terminals: Terminal[];
}

export interface Terminal {
  /** The `# Terminal N…` line that opens it, if any. */
  label?: string;
  text: string;
  /** True for every terminal of a block but the last: what runs there keeps running. */
  keepsRunning: boolean;
}

export interface ReadmeLink {
  href: string;
  /** `link` or `image`. */
  kind: string;
}

export interface Readme {
  fences: { line: number; info: string }[];
  shellBlocks: ShellBlock[];
  links: ReadmeLink[];
  /** The anchors GitHub gives the headings (`#try-it`). */
  anchors: Set<string>;
}

const TERMINAL_LINE = /^# Terminal \d+\b.*$/;

export function parseReadme(markdown: string): Readme {
  const tokens = Lexer.lex(markdown);
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const fences: Readme['fences'] = [];
  const shellBlocks: ShellBlock[] = [];
  const headings: string[] = [];
  const perSection = new Map<string, number>();
  let line = 1;

  for (const token of tokens) {
    if (token.type === 'heading') {
      const heading = token as Tokens.Heading;
      const text = plain(heading.tokens);
      anchors.add(slugger.slug(text));
      if (heading.depth >= 2) headings.splice(heading.depth - 2, headings.length, text);
    }
    if (token.type === 'code' && token.raw.trimStart().startsWith('```')) {
      const info = (token.raw.trimStart().split('\n')[0] ?? '').slice(3).trim();
      fences.push({ line, info });
      const [lang, ...rest] = info.split(/\s+/);
      if (lang === 'sh') {
        const section = headings.join(' › ');
        const rank = (perSection.get(section) ?? 0) + 1;
        perSection.set(section, rank);
        const text = (token as Tokens.Code).text;
        shellBlocks.push({ ordinal: shellBlocks.length + 1, line, section, name: `${section} #${rank}`, text, ...directive(rest.join(' '), line), terminals: terminalsOf(text) });
      }
    }
    line += token.raw.split('\n').length - 1;
  }

  const links: ReadmeLink[] = [];
  walkTokens(tokens, (token: Token) => {
    if (token.type === 'link' || token.type === 'image') links.push({ href: (token as Tokens.Link).href, kind: token.type });
  });
  return { fences, shellBlocks, links, anchors };
}

function directive(text: string, line: number): { skip?: string; needs?: string } {
  if (text === '') return {};
  const match = /^(skip|needs):\s*(\S.*)$/.exec(text);
  if (!match) throw new Error(`README line ${line}: a shell fence says "${text}"; it may only say "skip: <reason>" or "needs: <command>"`);
  return match[1] === 'skip' ? { skip: match[2] } : { needs: match[2] };
}

function terminalsOf(text: string): Terminal[] {
  const terminals: { label?: string; lines: string[] }[] = [{ lines: [] }];
  for (const textLine of text.split('\n')) {
    if (TERMINAL_LINE.test(textLine)) terminals.push({ label: textLine.slice(2), lines: [] });
    else terminals.at(-1)!.lines.push(textLine);
  }
  const used = terminals.filter((terminal) => terminal.label !== undefined || terminal.lines.some((l) => l.trim() !== ''));
  return used.map((terminal, index) => ({ label: terminal.label, text: terminal.lines.join('\n').trim(), keepsRunning: index < used.length - 1 }));
}

/** A heading's text as GitHub renders it, without marks (code, emphasis, links): `Replay runs (/v2)`. */
function plain(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if ('tokens' in token && token.tokens) return plain(token.tokens);
      if (token.type === 'html') return '';
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}
