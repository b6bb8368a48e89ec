// canonicalHTML: a comparison form of a description, to tell whether it
// really changed. Two HTML strings that mean the same (the editor's output
// and what the server stored from it, or stored HTML from elsewhere and the
// editor's re-serialization of it) give the same string: <b>/<i> read as
// <strong>/<em>, rel and every other attribute but href ignored, attribute
// order and white space between blocks irrelevant, <li><p>x</p></li> equal to
// <li>x</li>, empty paragraphs dropped.
//
// It must not import ProseMirror: the edit screen uses it before the editor
// has loaded.
import { parseFragment, readBlocks } from './blocks';

export function canonicalHTML(html: string): string {
  if (!html || !/\S/.test(html)) return '';
  return readBlocks(parseFragment(html), { pasted: false });
}
