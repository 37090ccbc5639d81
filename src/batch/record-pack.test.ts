import { describe, expect, it } from 'vitest';
import { packImages, splitAnswer } from './record-pack.js';

describe('packing several images into one request', () => {
  it('packs single-image bodies, and nothing else', () => {
    expect(packImages([{ images: ['a'] }, { images: ['b'] }])).toEqual({ images: ['a', 'b'] });
    expect(packImages([{ images: ['a'] }, { images: ['b', 'c'] }])).toBeUndefined();
    expect(packImages([{ images: ['a'], top_k: 3 }])).toBeUndefined();
    expect(packImages([{ inputs: [] }])).toBeUndefined();
  });

  it('splits an answer holding one array of k items, keeping the other fields', () => {
    expect(splitAnswer({ predictions: [1, 2], model: 'm' }, 2)).toEqual([
      { predictions: [1], model: 'm' },
      { predictions: [2], model: 'm' },
    ]);
    expect(splitAnswer({ predictions: [1, 2, 3] }, 2)).toBeUndefined();
    expect(splitAnswer({ a: [1, 2], b: [3, 4] }, 2)).toBeUndefined();
    expect(splitAnswer([1, 2], 2)).toBeUndefined();
  });
});
