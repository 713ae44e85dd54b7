/** Consent answers: pre-answered by flag, asked on the terminal, and no unless the customer says yes. */
import t from 'tap';
import { ConsentPrompter, consentPolicy } from './consent.ts';

function terminal(answer: string | undefined) {
  const lines: string[] = [];
  return { lines, ask: async (prompt: string) => (lines.push(prompt), answer), line: (text: string) => void lines.push(text) };
}

const req = { rep: 'Alice', action: 'view your screen' };

t.test('flags answer in advance', async (t) => {
  t.equal(consentPolicy({}), 'ask');
  t.equal(consentPolicy({ 'allow-all': true }), 'allow');
  t.equal(consentPolicy({ 'deny-all': true }), 'deny');
  const term = terminal('n');
  t.equal(await new ConsentPrompter('allow', term).decide(req), true);
  t.equal(await new ConsentPrompter('deny', term).decide(req), false);
  t.match(term.lines.join('\n'), /Alice asks to view your screen: allowed \(--allow-all\)/);
});

t.test('asked on the terminal: only yes allows', async (t) => {
  for (const [answer, allowed] of [['y', true], [' YES ', true], ['n', false], ['', false], ['sure', false], [undefined, false]] as const) {
    t.equal(await new ConsentPrompter('ask', terminal(answer)).decide(req), allowed, JSON.stringify(answer));
  }
});
