/**
 * Colours only for a reader at a terminal: never in a pipe or a file, never with NO_COLOR
 * set (no-color.org), and always with FORCE_COLOR set to anything but 0/false (Node's and
 * chalk's convention; NO_COLOR wins over it). TERM=dumb turns them off on a terminal.
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

type Env = Record<string, string | undefined>;

export function colourWanted(stream: { isTTY?: boolean }, env: Env = process.env): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

/** Colour functions for one stream: plain text when colourWanted says no. */
export const coloursFor = (stream: { isTTY?: boolean }, env: Env = process.env): Colors => pc.createColors(colourWanted(stream, env));

const GOOD = new Set(['ready', 'Ready', 'Running', 'Succeeded', 'Normal']);
const BAD = new Set(['failed', 'Failed', 'Unhealthy', 'Exited']);
const PASSING = new Set(['importing', 'Creating', 'Updating', 'Stopping', 'Deleting', 'Pending', 'Starting', 'Terminating', 'Warning']);

/** A state cell coloured by its first word: green when well, red when failed, yellow on the way. */
export function paintState(cell: string, c: Colors): string {
  const word = /^[A-Za-z]+/.exec(cell)?.[0] ?? '';
  if (GOOD.has(word)) return c.green(cell);
  if (BAD.has(word)) return c.red(cell);
  if (PASSING.has(word)) return c.yellow(cell);
  return cell;
}

/** Columns in terminal cells, not counting colour escapes. */
export const stripColour = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');
