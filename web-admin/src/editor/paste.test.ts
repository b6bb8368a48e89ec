import { describe, expect, it, vi } from 'vitest';
import { cleanPastedHTML } from './paste';
import { parseHTML, serialize } from './serialize';

import googleDocs from './fixtures/google-docs.html?raw';
import word from './fixtures/word.html?raw';

// Clipboard HTML as Google Docs and Word (Windows) put it there.
const fixtures: Record<string, string> = { 'google-docs.html': googleDocs, 'word.html': word };
const fixture = (name: string) => fixtures[name];

describe('cleanPastedHTML: Google Docs', () => {
  const out = cleanPastedHTML(fixture('google-docs.html'));

  it('keeps structure, bold, italic and links and drops the rest', () => {
    expect(out).toBe(
      '<h2>Summer programs</h2>' +
        '<p>Students can apply for <strong>paid internships</strong> and <em>summer classes</em>. ' +
        'See <a href="https://www.cps.edu/academics/" rel="noopener">the academics page</a>.</p>' +
        '<ul><li>Career fairs<ul><li><strong><em>Spring</em></strong> fair in March</li></ul></li><li>College visits</li></ul>' +
        '<ol><li>Pick a program</li><li>Apply by May 1</li></ol>' +
        '<p>Deadline</p><p>May 1</p>' +
        '<p>Questions? Write to <a href="mailto:occs@cps.edu" rel="noopener">occs@cps.edu</a></p>',
    );
  });

  it('does not take the docs-internal-guid wrapper for bold', () => {
    expect(out).not.toMatch(/<strong>Students/);
    expect(cleanPastedHTML('<b style="font-weight:normal;" id="docs-internal-guid-1"><p>plain</p></b>')).toBe('<p>plain</p>');
    // Even without its style attribute, the wrapper is not bold.
    expect(cleanPastedHTML('<b id="docs-internal-guid-2"><p>plain</p></b>')).toBe('<p>plain</p>');
  });

  it('drops styles, classes, dir, images, tables and stray breaks', () => {
    expect(out).not.toMatch(/style=|class=|dir=|<img|<table|<td|<span|<br|<div|<b /);
  });

  it('reads styles from the attribute text, never from el.style (empty under the strict CSP)', () => {
    // Chromium under style-src 'self' leaves el.style empty in DOMParser
    // documents; make it so here and check the result does not change.
    const desc = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'style')!;
    const spy = vi.spyOn(HTMLElement.prototype, 'style', 'get').mockImplementation(function (this: HTMLElement) {
      return document.createElement('div').style;
    });
    try {
      expect(cleanPastedHTML(fixture('google-docs.html'))).toBe(out);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
      expect(Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'style')).toEqual(desc);
    }
  });
});

describe('cleanPastedHTML: Word', () => {
  const out = cleanPastedHTML(fixture('word.html'));

  it('turns mso-list paragraphs into nested lists and keeps bold and italic', () => {
    expect(out).toBe(
      '<h2>What we offer</h2>' +
        '<p>Our office helps <strong>every student</strong> plan for life after high school. ' +
        '<strong>Counselors</strong> meet with students <em>twice a year</em>, and the Career Center is open daily.</p>' +
        '<ul><li>Career fairs<ul><li>Spring fair in <strong>March</strong></li></ul></li><li>College visits</li></ul>' +
        '<p>To apply:</p>' +
        '<ol><li>Pick a program<ol><li>Read the <em>program guide</em></li></ol></li>' +
        '<li>Apply by <a href="https://www.cps.edu/apply/" rel="noopener">May 1</a></li></ol>' +
        '<p>Deadline</p><p>May 1</p>',
    );
  });

  it('drops markers, o:p, comments, conditional content, fonts and images', () => {
    expect(out).not.toMatch(/·|o:p|mso|Calibri|Symbol|Times|StartFragment|<img|v:shape|&nbsp;|\u00a0/);
  });

  it('reads bullets as bullets and numbers or letters as numbered lists', () => {
    const para = (marker: string, level = 1, list = 'l0') =>
      `<p class=MsoListParagraphCxSpMiddle style='mso-list:${list} level${level} lfo1'><![if !supportLists]><span style='mso-list:Ignore'>${marker}<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span><![endif]>item ${marker}</p>`;
    expect(cleanPastedHTML(para('§') + para('-'))).toBe('<ul><li>item §</li><li>item -</li></ul>');
    expect(cleanPastedHTML(para('1)') + para('(b)') + para('iv.'))).toBe('<ol><li>item 1)</li><li>item (b)</li><li>item iv.</li></ol>');
    // Bullets then numbers at the same level are two lists.
    expect(cleanPastedHTML(para('·') + para('1.'))).toBe('<ul><li>item ·</li></ul><ol><li>item 1.</li></ol>');
    // Two lists that happen to touch stay two lists; levels going back up close the nested list.
    expect(cleanPastedHTML(para('·') + para('o', 2) + para('§', 3) + para('·') + para('·', 1, 'l5'))).toBe(
      '<ul><li>item ·<ul><li>item o<ul><li>item §</li></ul></li></ul></li><li>item ·</li></ul><ul><li>item ·</li></ul>',
    );
  });

  it('keeps bold marked with mso-bidi-font-weight:normal and drops bold inside headings', () => {
    expect(cleanPastedHTML(`<p class=MsoNormal><b style='mso-bidi-font-weight:normal'>Bold</b></p>`)).toBe('<p><strong>Bold</strong></p>');
    expect(cleanPastedHTML(`<h1><b>Title</b></h1><h5>Small</h5>`)).toBe('<h2>Title</h2><h4>Small</h4>');
  });

  it('drops the number Word puts in front of numbered headings', () => {
    expect(
      cleanPastedHTML(`<h2 style='mso-list:l2 level1 lfo3'><![if !supportLists]><span style='mso-list:Ignore'>1.<span>&nbsp; </span></span><![endif]>Overview</h2>`),
    ).toBe('<h2>Overview</h2>');
  });
});

describe('cleanPastedHTML: web pages and the editor itself', () => {
  it('reads styled spans and drops what the editor cannot hold', () => {
    const html =
      '<div class="post"><h3 class="title">News</h3><p>One <span style="font-weight: bold">two</span> <span style="FONT-STYLE: Italic">three</span> ' +
      '<strong><span style="font-weight:normal">four</span></strong> <a href="javascript:alert(1)">five</a> <a href="/relative">six</a></p>' +
      '<script>alert(1)</script><style>p{color:red}</style><hr><blockquote><div>Said</div></blockquote><pre>code   here</pre></div>';
    expect(cleanPastedHTML(html)).toBe(
      '<h3>News</h3><p>One <strong>two</strong> <em>three</em> four five six</p><blockquote><p>Said</p></blockquote><p>code here</p>',
    );
  });

  it('moves style attributes aside before parsing, so Chromium does not report each one', () => {
    const parse = vi.spyOn(DOMParser.prototype, 'parseFromString');
    let parsed = '';
    try {
      const out = cleanPastedHTML(
        `<style>p{}</style><p title="a style=b" style='font-weight:700'>Set style="x" <span\nstyle=font-style:italic>here</span></p>`,
      );
      expect(out).toBe('<p><strong>Set style=&#34;x&#34; <em>here</em></strong></p>');
      parsed = parse.mock.calls[0][0];
    } finally {
      parse.mockRestore();
    }
    const doc = new DOMParser().parseFromString(parsed, 'text/html');
    expect(doc.querySelector('[style], style')).toBeNull();
    expect(doc.querySelector('p')!.getAttribute('title')).toBe('a style=b');
  });

  it('keeps the slice information of a copy inside the editor', () => {
    expect(cleanPastedHTML('<p data-pm-slice="1 1 []">Hello <strong>there</strong></p>')).toBe(
      '<p data-pm-slice="1 1 []">Hello <strong>there</strong></p>',
    );
  });

  it('gives HTML the editor reads and writes back unchanged', () => {
    for (const name of ['google-docs.html', 'word.html']) {
      const clean = cleanPastedHTML(fixture(name));
      expect(serialize(parseHTML(clean))).toBe(clean);
    }
  });
});
