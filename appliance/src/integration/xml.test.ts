import t from 'tap';
import fc from 'fast-check';
import { escapeXml, x, xmlDocument } from './xml.ts';

t.test('elements, attributes and text are escaped', (t) => {
  const doc = xmlDocument(x('error', { code: 'a"<b>' }, 'x < y & "z"'));
  t.equal(doc, '<?xml version="1.0" encoding="UTF-8"?>\n<error code="a&quot;&lt;b&gt;">x &lt; y &amp; &quot;z&quot;</error>\n');
  t.equal(xmlDocument(x('empty')), '<?xml version="1.0" encoding="UTF-8"?>\n<empty/>\n');
  t.end();
});

t.test('no caller text can open or close a tag', (t) => {
  fc.assert(fc.property(fc.string(), (s) => !/[<>]/.test(escapeXml(s)) && !/&(?!(amp|lt|gt|quot|apos);)/.test(escapeXml(s))));
  t.end();
});
