import { describe, expect, it } from 'vitest';
import { BatchLine } from './batch-line.ts';

/** A line over an in-memory "database" that refuses any batch containing 'bad'. */
class TestLine extends BatchLine<{ who: string; what: string }, string> {
  readonly batches: string[][] = [];
  protected keyOf(request: { who: string }): string {
    return request.who;
  }
  protected async writeBatch(requests: { who: string; what: string }[]): Promise<string[]> {
    this.batches.push(requests.map((r) => `${r.who}:${r.what}`));
    if (requests.some((r) => r.what === 'bad')) throw new Error('refused');
    return requests.map((r) => `ok ${r.who}:${r.what}`);
  }
  protected failed(request: { who: string; what: string }): string {
    return `failed ${request.who}:${request.what}`;
  }
}

describe('BatchLine', () => {
  it('writes what arrived in one turn as one batch, and holds a second request of the same key for the next batch', async () => {
    const line = new TestLine({ batchSizeMax: 10, batchesInFlightMax: 1, queueLengthMax: 100 });
    const answers = [
      line.submit({ who: 'a', what: '1' }),
      line.submit({ who: 'a', what: '2' }),
      line.submit({ who: 'b', what: '1' }),
    ];
    expect(answers.map((answer) => answer.sequence)).toEqual([1, 2, 3]);
    expect(await Promise.all(answers.map((answer) => answer.result))).toEqual(['ok a:1', 'ok a:2', 'ok b:1']);
    expect(line.batches).toEqual([['a:1', 'b:1'], ['a:2']]);
    expect(line.servedSequence).toBe(3);
  });

  it('splits a refused batch until the odd request is alone; only that one fails', async () => {
    const line = new TestLine({ batchSizeMax: 10, batchesInFlightMax: 1, queueLengthMax: 100 });
    const listened: string[][] = [];
    line.onBatch((_requests, results) => listened.push(results));
    const results = await Promise.all(['1', '2', 'bad', '4'].map((what, index) => line.submit({ who: `p${index}`, what }).result));
    expect(results).toEqual(['ok p0:1', 'ok p1:2', 'failed p2:bad', 'ok p3:4']);
    expect(listened.flat()).toEqual(results);
  });

  it('is full at queueLengthMax waiting requests', () => {
    const line = new TestLine({ batchSizeMax: 10, batchesInFlightMax: 1, queueLengthMax: 2 });
    void line.submit({ who: 'a', what: '1' }).result;
    expect(line.full).toBe(false);
    void line.submit({ who: 'b', what: '1' }).result;
    expect(line.full).toBe(true);
  });
});
