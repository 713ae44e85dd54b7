/** Decoding what the appliance sends: every known type, and garbage that must be ignored, not thrown. */
import t from 'tap';
import { decodeApplianceMessage } from './appliance-messages.ts';

const chat = { seq: 3, at: 1_700_000_000_000, from: { kind: 'rep', id: 'x', name: 'Alice' }, body: 'hi' };

t.test('known messages decode to their typed form', async (t) => {
  const joined = { t: 'joined', v: 1, sessionId: 's', resume: 'r', state: 'waiting', reps: [], chat: [chat] };
  t.same(decodeApplianceMessage(JSON.stringify(joined)), { ok: true, msg: joined });
  t.same(decodeApplianceMessage('{"t":"state","state":"active","reps":["Alice"]}'), { ok: true, msg: { t: 'state', state: 'active', reps: ['Alice'] } });
  t.same(decodeApplianceMessage(JSON.stringify({ t: 'chat', msg: chat })), { ok: true, msg: { t: 'chat', msg: chat } });
  t.same(decodeApplianceMessage('{"t":"end","reason":"ended"}'), { ok: true, msg: { t: 'end', reason: 'ended' } });
  t.same(decodeApplianceMessage('{"t":"error","code":"KEY_USED","message":"used"}'), { ok: true, msg: { t: 'error', code: 'KEY_USED', message: 'used' } });
  t.equal(decodeApplianceMessage('{"t":"error","code":"FROM_THE_FUTURE","message":"x"}').ok, true, 'an error code from a newer appliance still arrives');
});

t.test('garbage is reported, never thrown', async (t) => {
  for (const text of ['', 'not json', '[]', 'null', '42', '{"t":7}', '{"t":"__proto__"}', '{"t":"toString"}', '{"t":"screen","x":1}', '{"t":"state","state":"bogus","reps":[]}', '{"t":"chat","msg":{"seq":"1"}}', '{"t":"joined"}', '{"t":"end","reason":"because"}', '{"t":"chat","msg":{"seq":1,"at":1,"body":"x","from":null}}']) {
    const d = decodeApplianceMessage(text);
    t.equal(d.ok, false, text);
    if (!d.ok) t.type(d.reason, 'string');
  }
});
