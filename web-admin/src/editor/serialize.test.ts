import { describe, expect, it } from 'vitest';
import { parseHTML, serialize } from './serialize';
import { schema } from './schema';

// The demo descriptions exactly as the server stores them (models/demo.go
// through models.SanitizeRichText: apostrophes become &#39;).
const demo = [
  "<p>The Office of College and Career Success (OCCS) promotes social and economic mobility among CPS students by building systems and providing supports to increase the number of CPS graduates who earn postsecondary credentials and enter into fulfilling, family-sustaining careers.</p><p>OCCS works with both internal and external partners to ensure that all CPS students develop essential postsecondary competencies, including academic and financial readiness for postsecondary, career awareness and alignment, and foundational skills. Ultimately, every CPS senior will leverage these competencies to develop a concrete, personalized postsecondary plan to pave the way for their success in life after high school.</p>",
  "<p>Provides career-connected learning options that help students link their education to the real world. We&#39;re committed to maximizing each student&#39;s time at CPS to develop the skills, knowledge, and mindset they&#39;ll need to succeed in the workplace, community, and careers.</p>",
  "<p>Ensures that postsecondary champions* implement comprehensive, student-centered, data-informed practices through an effective model of leadership, collaboration, advocacy, and systemic change to impact the academic, social/emotional, and postsecondary outcomes of ALL students in the district.</p>",
  "<p>Provides comprehensive support to help students become more connected to and engaged in school, prioritizing those most likely to become disconnected from their learning communities. This work is heavily centered around our district&#39;s commitment to student Connectedness and Wellbeing.</p>",
  "<p>Partners with CPS schools and networks to develop and sustain supportive learning communities founded on caring relationships and robust multi-tiered systems of support (MTSS) that meet the social and emotional needs of all students. OSEL promotes the development of self awareness, self management, social awareness, interpersonal skills, and responsible decision-making skills that students need for college, career, and life success.</p>",
  "<p>Envisions schools as central, neighborhood locations where students receive an education and schools work with community groups to connect children and families to a range of services that foster individual and economic well-being. The Community Schools Initiative also extends the hours that schools are open so buildings may stay in use up to seven days a week and during the summer, creating a vibrant community meeting place.</p>",
  "<p>We oversee the equitable implementation of sports programs across all elementary schools and high schools within the Chicago Public School District (CPS) and Chicago Public League (CPL).</p>",
  "<p>Assists JROTC high school students in developing skills and knowledge that can help them in their postsecondary pathway: college, career, or military. We foster partnerships with universities, military branches, trade-skill providers, and shareholders to provide scholarships, leadership experiences, unique hands-on opportunities, and community service.</p>",
];

// Each of these is left unchanged by the server's sanitizer (checked against
// models.SanitizeRichText) and by a trip through the editor.
const stable = [
  '<p>Hello <strong>bold</strong> and <em>italic</em> and <strong><em>both</em></strong>.</p>',
  '<h2>Two</h2><h3>Three</h3><h4>Four</h4>',
  '<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul><ol><li>first</li></ol>',
  '<ul><li><p>two</p><p>paragraphs</p></li></ul>',
  '<blockquote><p>Quoted</p><p>twice</p></blockquote>',
  '<p>a<br/>b</p>',
  '<p>See <a href="https://www.cps.edu/" rel="noopener">CPS</a> or <a href="mailto:occs@cps.edu" rel="noopener"><strong>write</strong></a>.</p>',
  '<p><a href="https://x.org/?a=1&amp;b=2" rel="noopener">query</a> with a<br/>break</p>',
  '<p>Tom &amp; Jerry&#39;s &#34;show&#34; costs &lt;$5&gt;\u00a0today, café</p>',
  '<p></p><p>x</p>',
];

describe('serialize', () => {
  it('round-trips the demo descriptions byte for byte', () => {
    for (const html of demo) expect(serialize(parseHTML(html))).toBe(html);
  });

  it('round-trips every node and mark in the stored form', () => {
    for (const html of stable) expect(serialize(parseHTML(html))).toBe(html);
  });

  it('writes each node and mark built in the editor', () => {
    const { doc, paragraph, heading, blockquote, bullet_list, ordered_list, list_item, hard_break } = schema.nodes;
    const { strong, em, link } = schema.marks;
    const t = (s: string, ...marks: import('prosemirror-model').Mark[]) => schema.text(s, marks);
    const d = doc.create(null, [
      heading.create({ level: 3 }, t('Title')),
      paragraph.create(null, [t('a', strong.create()), t('b', strong.create(), em.create()), hard_break.create(), t('c', link.create({ href: 'https://cps.edu' }))]),
      bullet_list.create(null, [
        list_item.create(null, [paragraph.create(null, t('tight')), ordered_list.create(null, list_item.create(null, paragraph.create(null, t('n'))))]),
        list_item.create(null, [paragraph.create(null, t('loose')), paragraph.create(null, t('item'))]),
      ]),
      blockquote.create(null, paragraph.create(null, t('q'))),
    ]);
    expect(serialize(d)).toBe(
      '<h3>Title</h3><p><strong>a<em>b</em></strong><br/><a href="https://cps.edu" rel="noopener">c</a></p>' +
        '<ul><li>tight<ol><li>n</li></ol></li><li><p>loose</p><p>item</p></li></ul><blockquote><p>q</p></blockquote>',
    );
  });

  it('gives the empty string for an empty document', () => {
    expect(serialize(parseHTML(''))).toBe('');
    expect(serialize(parseHTML('<p></p>'))).toBe('');
    expect(serialize(schema.nodes.doc.createAndFill()!)).toBe('');
  });

  it('keeps only what the server keeps when parsing', () => {
    const cases: [string, string][] = [
      ['<h1>Title</h1><h5>Small</h5><h6>Smaller</h6>', '<h2>Title</h2><h4>Small</h4><h4>Smaller</h4>'],
      ['<p><b>b</b> <i>i</i></p>', '<p><strong>b</strong> <em>i</em></p>'],
      ['<div><span>x</span></div><section><p>y</p></section>', '<p>x</p><p>y</p>'],
      ['<p style="color:red" class="x" onclick="steal()">x</p>', '<p>x</p>'],
      ['<p>x</p><script>alert(1)</script><style>p{}</style><img src="x">', '<p>x</p>'],
      ['<p><u>under</u> <s>strike</s> <code>code</code></p>', '<p>under strike code</p>'],
      ['<ol start="3"><li><p>x</p></li></ol>', '<ol><li>x</li></ol>'],
      ['<p><a href="https://cps.edu" rel="nofollow" target="_blank" title="t">CPS</a></p>', '<p><a href="https://cps.edu" rel="noopener">CPS</a></p>'],
      ['<p><b style="font-weight:normal">not bold</b></p>', '<p>not bold</p>'],
      ['Loose text<blockquote>Quote</blockquote>', '<p>Loose text</p><blockquote><p>Quote</p></blockquote>'],
      ['<table><tr><td>cell</td></tr></table>', '<p>cell</p>'],
    ];
    for (const [input, want] of cases) expect(serialize(parseHTML(input))).toBe(want);
  });

  it('drops links with schemes the server refuses and fixes the ones it would change', () => {
    const cases: [string, string][] = [
      ['<p><a href="javascript:alert(1)">js</a></p>', '<p>js</p>'],
      ['<p><a href="data:text/html,x">data</a></p>', '<p>data</p>'],
      ['<p><a href="/relative">rel</a> <a href="#top">top</a> <a>none</a></p>', '<p>rel top none</p>'],
      ['<p><a href="ftp://x.org/">ftp</a> <a href="https://x.org/a b">space</a></p>', '<p>ftp space</p>'],
      ['<p><a href="HTTPS://x.org/">up</a></p>', '<p><a href="https://x.org/" rel="noopener">up</a></p>'],
      ['<p><a href="https://x.org/caf\u00e9">accent</a></p>', '<p><a href="https://x.org/caf%C3%A9" rel="noopener">accent</a></p>'],
    ];
    for (const [input, want] of cases) expect(serialize(parseHTML(input))).toBe(want);
  });
});
