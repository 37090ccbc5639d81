import { describe, expect, it } from 'vitest';
import { coloursFor, colourWanted, paintState, stripColour } from './colour.js';

const tty = { isTTY: true };
const pipe = { isTTY: false };

describe('colours only on a terminal, honouring NO_COLOR and FORCE_COLOR', () => {
  it('decides from the stream and the environment', () => {
    const cases: [string, { isTTY?: boolean }, Record<string, string>, boolean][] = [
      ['terminal', tty, {}, true],
      ['pipe', pipe, {}, false],
      ['terminal, NO_COLOR', tty, { NO_COLOR: '1' }, false],
      ['terminal, NO_COLOR empty (ignored)', tty, { NO_COLOR: '' }, true],
      ['terminal, TERM=dumb', tty, { TERM: 'dumb' }, false],
      ['pipe, FORCE_COLOR=1', pipe, { FORCE_COLOR: '1' }, true],
      ['pipe, FORCE_COLOR empty', pipe, { FORCE_COLOR: '' }, true],
      ['terminal, FORCE_COLOR=0', tty, { FORCE_COLOR: '0' }, false],
      ['terminal, FORCE_COLOR=false', tty, { FORCE_COLOR: 'false' }, false],
      ['pipe, FORCE_COLOR and NO_COLOR', pipe, { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    ];
    expect(cases.map(([what, stream, env]) => [what, colourWanted(stream, env)])).toEqual(cases.map(([what, , , want]) => [what, want]));
  });

  it('colours states by their first word, and leaves text plain when colours are off', () => {
    const on = coloursFor(pipe, { FORCE_COLOR: '1' });
    expect(paintState('ready', on)).toBe('\x1b[32mready\x1b[39m');
    expect(paintState('failed: no model.onnx', on)).toBe('\x1b[31mfailed: no model.onnx\x1b[39m');
    expect(paintState('Pending', on)).toBe('\x1b[33mPending\x1b[39m');
    expect(paintState('Stopped', on)).toBe('Stopped');
    expect(stripColour(paintState('Running', on))).toBe('Running');
    expect(paintState('Running', coloursFor(pipe, {}))).toBe('Running');
  });
});
