// The nftables plane's flows (client -> frontend -> endpoint), as the kernel's flow sets list
// them: parsed from `nft -j list set`, and added to the stats as each element's growth, an
// element that expired and came back counting from zero.
import { describe, expect, it } from 'vitest';
import { createFlowReader, parseFlowSet, type FlowElements } from '../../proxy/data-plane/nftables/flows.js';
import { countOpen } from '../../proxy/data-plane/nftables/conntrack.js';

const listing = (elems: Array<[string, string, number, string, number, number, number]>): string =>
  JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6' } },
      { set: { family: 'ip', name: 'flow-conns', elem: elems.map(([c, f, fp, e, ep, packets, bytes]) => ({ elem: { val: { concat: [c, f, fp, e, ep] }, expires: 599, counter: { packets, bytes } } })) } },
    ],
  });

const KEY = '127.10.0.1|127.96.0.10:80|127.244.1.5:8080';

describe('nftables flow sets', () => {
  it('parses each element into client|frontend|endpoint and its counter; bad answers are no element', () => {
    expect([...parseFlowSet(listing([['127.10.0.1', '127.96.0.10', 80, '127.244.1.5', 8080, 3, 180]]))]).toEqual([[KEY, { packets: 3, bytes: 180 }]]);
    for (const bad of ['', '{', '[]', '{"nftables":null}', '{"nftables":[null,{"set":{"elem":[null]}}]}', '{"nftables":[{"set":{"elem":[{"elem":{"val":{"concat":["a"]}}}]}}]}', 'null']) expect(parseFlowSet(bad).size).toBe(0);
  });

  const cases: Array<{ name: string; readings: Array<[number, number]>; want: Array<[number, number] | undefined> }> = [
    { name: 'first reading: all of it', readings: [[3, 900]], want: [[3, 900]] },
    { name: 'growth since the last reading', readings: [[3, 900], [5, 1500]], want: [[3, 900], [2, 600]] },
    { name: 'no growth: nothing to add', readings: [[3, 900], [3, 900]], want: [[3, 900], undefined] },
    { name: 'expired and came back: from zero', readings: [[5, 1500], [1, 100]], want: [[5, 1500], [1, 100]] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const read = createFlowReader();
      c.readings.forEach(([conns, bytes], i) => {
        const connections: FlowElements = new Map([[KEY, { packets: conns, bytes: conns * 60 }]]);
        const byteSet: FlowElements = new Map([[KEY, { packets: 0, bytes }]]);
        const g = read(connections, byteSet).get(KEY);
        const want = c.want[i];
        expect(g && [g.connections, g.bytes]).toEqual(want);
      });
    });
  }

  it('counts open connections per flow from conntrack, not the ones done with', () => {
    const text = [
      'ipv4     2 tcp      6 431999 ESTABLISHED src=127.10.0.1 dst=127.96.0.10 sport=40000 dport=80 src=127.244.1.5 dst=127.10.0.1 sport=8080 dport=40000 [ASSURED] mark=0 zone=0 use=2',
      'ipv4     2 tcp      6 431999 ESTABLISHED src=127.10.0.1 dst=127.96.0.10 sport=40001 dport=80 src=127.244.1.5 dst=127.10.0.1 sport=8080 dport=40001 [ASSURED] mark=0 zone=0 use=2',
      'ipv4     2 tcp      6 100 TIME_WAIT src=127.10.0.2 dst=127.96.0.10 sport=40002 dport=80 src=127.244.1.5 dst=127.10.0.2 sport=8080 dport=40002 [ASSURED] mark=0 zone=0 use=2',
    ].join('\n');
    const open = countOpen(text, new Set(['127.96.0.10:80']));
    expect([...open.byFlow]).toEqual([[KEY, 2]]);
  });
});
