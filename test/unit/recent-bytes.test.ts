// The bytes `relay attach` rebuilds a screen from: the ring must hold exactly the last N bytes of
// everything written, whatever the sizes of the writes and wherever a character is cut.
import { describe, expect, it } from 'vitest';
import { RecentBytes } from '../../src/lines/recent.js';

/** What the ring should give: the last `size` bytes, from the first whole character on. */
function expected(all: string, size: number): string {
  const bytes = Buffer.from(all);
  let kept = bytes.subarray(Math.max(0, bytes.length - size));
  let start = 0;
  if (bytes.length > size) while (start < kept.length && (kept[start]! & 0xc0) === 0x80) start += 1;
  kept = kept.subarray(start);
  return kept.toString('utf8');
}

// A seeded generator, so that a failure names a reproducible case.
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

const PIECES = ['a', 'line\r\n', '\x1b[31mred\x1b[0m', 'é', '…', '😀', '表', 'x'.repeat(50)];

describe('RecentBytes', () => {
  it.each([16, 100, 4096, 10_000])('keeps the last %i bytes of 200 writes of every size, multi-byte characters included', (size) => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed * size);
      const ring = new RecentBytes(size);
      let all = '';
      for (let i = 0; i < 200; i++) {
        // Mostly small writes, now and then one larger than the whole ring.
        const count = next() < 0.05 ? Math.ceil(size / 2) : Math.floor(next() * 8);
        let text = '';
        for (let j = 0; j < count; j++) text += PIECES[Math.floor(next() * PIECES.length)];
        ring.write(text);
        all += text;
        if (i % 17 === 0) expect(ring.text(), `seed ${seed}, write ${i}`).toBe(expected(all, size));
      }
      expect(ring.text()).toBe(expected(all, size));
    }
  });

  it('starts over after clear, and costs nothing before the first write', () => {
    const ring = new RecentBytes(8);
    expect(ring.text()).toBe('');
    ring.write('0123456789');
    expect(ring.text()).toBe('23456789');
    ring.clear();
    ring.write('ab');
    expect(ring.text()).toBe('ab');
  });
});
