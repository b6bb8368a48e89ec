import { describe, expect, it } from 'vitest';
import { canonicalHTML } from './canonical';
import { parseHTML, serialize } from './serialize';

const same = (a: string, b: string) => expect(canonicalHTML(a)).toBe(canonicalHTML(b));
const differ = (a: string, b: string) => expect(canonicalHTML(a)).not.toBe(canonicalHTML(b));

describe('canonicalHTML', () => {
  it('treats equivalent markup as equal', () => {
    same('<p><b>x</b> <i>y</i></p>', '<p><strong>x</strong> <em>y</em></p>');
    same('<p><a rel="noopener" href="https://cps.edu">x</a></p>', '<p><a href="https://cps.edu">x</a></p>');
    same('<p><a href="https://cps.edu" rel="nofollow" target="_blank">x</a></p>', '<p><a target="_blank" href="https://cps.edu">x</a></p>');
    same('<p>a</p>\n\n  <p>b</p>', '<p>a</p><p>b</p>');
    same('<ul>\n  <li><p>x</p></li>\n  <li>y</li>\n</ul>', '<ul><li>x</li><li><p>y</p></li></ul>');
    same('<p></p><p>x</p><p> </p>', '<p>x</p>');
    same('', '<p></p>');
    same('<p>We&#39;re &#34;here&#34;</p>', `<p>We're "here"</p>`);
    same('<p>a<br>b</p>', '<p>a<br/>b</p>');
    same('<p><strong>a</strong><strong>b</strong></p>', '<p><strong>ab</strong></p>');
    same('<p><em><strong>x</strong></em></p>', '<p><strong><em>x</em></strong></p>');
    same('<p>  a \n b  </p>', '<p>a b</p>');
    same('Title<p>x</p>', '<p>Title</p><p>x</p>');
    same('<blockquote>Q</blockquote>', '<blockquote><p>Q</p></blockquote>');
    same('<p><a href="HTTPS://x.org/">x</a></p>', '<p><a href="https://x.org/">x</a></p>');
  });

  it('tells real changes apart', () => {
    differ('<p>x</p>', '<p>y</p>');
    differ('<p>x</p>', '<p><strong>x</strong></p>');
    differ('<p>x</p>', '<h2>x</h2>');
    differ('<h2>x</h2>', '<h3>x</h3>');
    differ('<ul><li>x</li></ul>', '<ol><li>x</li></ol>');
    differ('<p><a href="https://a.org/">x</a></p>', '<p><a href="https://b.org/">x</a></p>');
    differ('<p>a b</p>', '<p>a</p><p>b</p>');
    differ('<ul><li><p>a</p><p>b</p></li></ul>', '<ul><li>a</li><li>b</li></ul>');
    differ('<p>a<br>b</p>', '<p>a b</p>');
  });

  it("equals the editor's output for what the editor read", () => {
    const stored = [
      '<p>We&#39;re <b>here</b></p>\n<ul><li><p>one</p></li><li>two</li></ul>',
      '<h1>Old title</h1><p><i>x</i> <a href="https://cps.edu" rel="nofollow">y</a></p><p></p>',
      '<div>Loose <span>text</span></div><blockquote>Q</blockquote>',
    ];
    for (const html of stored) same(serialize(parseHTML(html)), html);
  });

  it('does not load ProseMirror', async () => {
    const source = (await import('./canonical.ts?raw')).default + (await import('./blocks.ts?raw')).default + (await import('./html.ts?raw')).default;
    expect(source).not.toMatch(/from 'prosemirror/);
  });
});
