// The pure parts of task lists: parsing, sharding, placeholders.
import { describe, expect, it } from 'vitest';
import { buildTasks, taskFileSources, taskFlagSources } from '../src/tasks/parse.js';
import { parseShard, selectShard } from '../src/tasks/shard.js';
import { fillTemplate } from '../src/tasks/template.js';

describe('task lists', () => {
  it('numbers non-blank lines, keeps plain text as is, reads JSON object lines, and names the line of a duplicate id', () => {
    const tasks = buildTasks([...taskFileSources('first\n\n  \n{"id":"b","prompt":"second","cwd":"sub","env":{"K":"v"}}\r\n{"id":7,"prompt":"third"}\n', 'list.txt'), ...taskFlagSources(['{"not":"json for --task"}'])]);
    expect(tasks).toEqual([
      { number: 1, id: '1', text: 'first' },
      { number: 2, id: 'b', text: 'second', cwd: 'sub', env: { K: 'v' } },
      { number: 3, id: '7', text: 'third' },
      { number: 4, id: '4', text: '{"not":"json for --task"}' },
    ]);
    expect(() => buildTasks(taskFileSources('x\n\n{"id":"1","prompt":"y"}\n', 'list.txt'))).toThrow('list.txt line 3: duplicate task id "1" (first at list.txt line 1)');
    expect(() => buildTasks(taskFileSources('{"prompt":"x","extra":1}', 'l'))).toThrow(/l line 1: bad task/);
  });

  it('slices the list round-robin: K/N takes tasks K, K+N, …, and the N slices cover it exactly once', () => {
    const tasks = Array.from({ length: 11 }, (_, i) => ({ number: i + 1 }));
    const slices = [1, 2, 3, 4].map((k) => selectShard(tasks, { k, n: 4 }).map((t) => t.number));
    expect(slices).toEqual([[1, 5, 9], [2, 6, 10], [3, 7, 11], [4, 8]]);
    expect(parseShard('2/3')).toEqual({ k: 2, n: 3 });
    for (const bad of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/2']) expect(() => parseShard(bad)).toThrow(/expected K\/N/);
  });

  it('fills {} {#} {id} {%} in one pass and appends the text only when there is no placeholder', () => {
    const values = { number: 3, id: 'fix', text: 'say {#}', slot: 2 };
    expect(fillTemplate(['run', '{}', 'n={#}', 'id={id}', 'w{%}', '{x}'], values)).toEqual(['run', 'say {#}', 'n=3', 'id=fix', 'w2', '{x}']);
    expect(fillTemplate(['agent', '-p'], values)).toEqual(['agent', '-p', 'say {#}']);
    expect(fillTemplate(['agent', '--slot', '{%}'], values)).toEqual(['agent', '--slot', '2']);
    // Without a task list (text null) "{}" stays as it was, and nothing is appended.
    expect(fillTemplate(['awk', '{}', '{#}'], { ...values, text: null })).toEqual(['awk', '{}', '3']);
  });
});
