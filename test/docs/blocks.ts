/**
 * Fenced code blocks of a Markdown file, with the `<!-- doc-test: ... -->` directive written before
 * each (see test/docs/README.md for the convention). Pure: text in, blocks out.
 */

export interface Directive {
  /** `skip REASON` (the whole directive): not run; the reason is shown in the skipped test's name. */
  skip?: string;
  /** `file PATH`: the block is the content of this file (relative to the doc's sandbox). */
  file?: string;
  /** `same-as PATH`: the block must equal this repository file byte for byte. */
  sameAs?: string;
  /** `exit N`: the expected exit status of a command block (default 0). */
  exit?: number;
  /** `replace OLD => NEW`: applied to the block's text before it is written or run (repeatable). */
  replace: [string, string][];
  /** `needs kubectl`: run only where kubectl is installed (otherwise reported as skipped). */
  needs: string[];
  /** `timeout SECONDS` for a command block (default 60). */
  timeout?: number;
}

export interface Block {
  /** Line of the opening fence, 1-based. */
  line: number;
  /** Info string's first word (`sh`, `yaml`, ...); '' for a bare fence. */
  lang: string;
  body: string;
  directive: Directive | undefined;
}

const DIRECTIVE = /^<!--\s*doc-test:\s*(.*?)\s*-->$/;

/** Parses `key value; key value` clauses; unknown keys are an error naming the clause. */
export function parseDirective(text: string): Directive {
  const d: Directive = { replace: [], needs: [] };
  // `skip` takes the whole rest as its reason (which may contain ";").
  const skip = /^skip\b\s*(.*)$/s.exec(text.trim());
  if (skip) {
    if (!skip[1]) throw new Error('"skip" needs a reason');
    d.skip = skip[1];
    return d;
  }
  for (const clause of text.split(';').map((c) => c.trim()).filter(Boolean)) {
    const [key, ...rest] = clause.split(/\s+/);
    const value = clause.slice(key!.length).trim();
    switch (key) {
      case 'file':
        d.file = value;
        break;
      case 'same-as':
        d.sameAs = value;
        break;
      case 'exit':
        d.exit = Number(value);
        if (!Number.isInteger(d.exit)) throw new Error(`"exit ${value}": not an integer`);
        break;
      case 'timeout':
        d.timeout = Number(value);
        break;
      case 'needs':
        d.needs.push(...rest);
        break;
      case 'replace': {
        const parts = value.split(' => ');
        if (parts.length !== 2) throw new Error(`"replace ${value}": expected "replace OLD => NEW"`);
        d.replace.push([parts[0]!, parts[1]!]);
        break;
      }
      default:
        throw new Error(`unknown doc-test clause "${clause}" (known: skip, file, same-as, exit, timeout, needs, replace)`);
    }
  }
  return d;
}

/**
 * Every fenced block (``` or ~~~, any indentation up to 3 spaces). A directive applies to the next
 * block when only blank lines separate them. Throws with the line number on an unclosed fence or a
 * bad directive.
 */
export function extractBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let pending: { directive: Directive; line: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const directive = DIRECTIVE.exec(text.trim());
    if (directive) {
      try {
        pending = { directive: parseDirective(directive[1]!), line: i + 1 };
      } catch (err) {
        throw new Error(`line ${i + 1}: ${(err as Error).message}`);
      }
      continue;
    }
    const fence = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
    if (!fence) {
      if (text.trim() !== '') pending = undefined;
      continue;
    }
    const marker = fence[1]!;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(marker); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`line ${start + 1}: code block is never closed`);
    blocks.push({ line: start + 1, lang: fence[2]!.toLowerCase(), body: body.join('\n') + '\n', directive: pending?.directive });
    pending = undefined;
  }
  return blocks;
}

export interface ConsoleStep {
  command: string;
  /** Expected output lines (stdout and stderr, interleaved as written). */
  output: string[];
}

/** A console transcript: `$ ` lines are commands (a trailing `\` continues them), the rest is output. */
export function parseConsole(body: string): ConsoleStep[] {
  const steps: ConsoleStep[] = [];
  const lines = body.replace(/\n$/, '').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('$ ')) {
      let command = line.slice(2);
      while (command.endsWith('\\') && i + 1 < lines.length) command = `${command.slice(0, -1)}\n${lines[++i]!}`;
      steps.push({ command, output: [] });
    } else if (steps.length === 0) {
      throw new Error(`console block: output line before any "$ " command: ${line}`);
    } else {
      steps.at(-1)!.output.push(line);
    }
  }
  return steps;
}

export function applyReplacements(text: string, directive: Directive | undefined, where: string): string {
  let out = text;
  for (const [from, to] of directive?.replace ?? []) {
    if (!out.includes(from)) throw new Error(`${where}: "replace ${from} => ${to}": "${from}" does not occur in the block`);
    out = out.split(from).join(to);
  }
  return out;
}
