/**
 * KaTeX, server-side, with every error collected: `throwOnError` is on and the build fails
 * on any error (markdown-it KaTeX plugins swallow errors, so this plugin is our own). Math
 * is `$…$` inline and `$$…$$` for display, in derivations and in doc comments alike.
 *
 * @module
 */
import katex from 'katex';
import type MarkdownIt from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

/** KaTeX errors met while building, each with where it was and the offending LaTeX. */
export const texErrors: string[] = [];

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Renders LaTeX; on an error records it and returns a visible `katex-error` element. */
export function renderTex(tex: string, display: boolean, where: string): string {
  try {
    return katex.renderToString(tex, { displayMode: display, throwOnError: true, strict: 'ignore', output: 'htmlAndMathml' });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    texErrors.push(`${where}: ${msg}\n    in: ${tex.trim().slice(0, 200)}`);
    return `<span class="katex-error" title="${escapeHtml(msg)}">${escapeHtml(tex)}</span>`;
  }
}

function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src, start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */) return false;
  const display = src.charCodeAt(start + 1) === 0x24;
  const open = display ? 2 : 1;
  let end = start + open;
  for (;;) {
    end = src.indexOf(display ? '$$' : '$', end);
    if (end < 0) return false;
    if (src.charCodeAt(end - 1) !== 0x5c /* \ */) break;
    end++;
  }
  const content = src.slice(start + open, end);
  if (!content.trim() || (!display && /^\s/.test(content))) return false;
  if (!silent) {
    const token = state.push(display ? 'math_inline_display' : 'math_inline', 'math', 0);
    token.content = content;
  }
  state.pos = end + open;
  return true;
}

function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const first = state.src.slice(state.bMarks[startLine]! + state.tShift[startLine]!, state.eMarks[startLine]);
  if (!first.startsWith('$$')) return false;
  let body = first.slice(2), line = startLine, closed = false;
  if (body.trimEnd().endsWith('$$') && body.trim().length > 2) { body = body.trimEnd().slice(0, -2); closed = true; }
  while (!closed && ++line < endLine) {
    const text = state.src.slice(state.bMarks[line]! + state.tShift[line]!, state.eMarks[line]);
    if (text.trimEnd().endsWith('$$')) { body += '\n' + text.trimEnd().slice(0, -2); closed = true; }
    else body += '\n' + text;
  }
  if (!closed) return false;
  if (silent) return true;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = body;
  token.map = [startLine, line + 1];
  state.line = line + 1;
  return true;
}

/** The markdown-it plugin: `$…$`, `$$…$$`; `env.where` names the source in error messages. */
export function mathPlugin(md: MarkdownIt, defaultWhere = 'markdown'): void {
  md.inline.ruler.before('escape', 'math_inline', mathInline);
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  const where = (env: unknown) => ((env as { where?: string } | undefined)?.where ?? defaultWhere);
  md.renderer.rules.math_inline = (tokens, idx, _o, env) => renderTex(tokens[idx]!.content, false, where(env));
  md.renderer.rules.math_inline_display = (tokens, idx, _o, env) => renderTex(tokens[idx]!.content, true, where(env));
  md.renderer.rules.math_block = (tokens, idx, _o, env) => `<div class="math-display">${renderTex(tokens[idx]!.content, true, where(env))}</div>\n`;
}
