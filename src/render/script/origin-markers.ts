// Origins carried through a template: each word of the view is prefixed with a marker naming its
// origin; after rendering, the markers are removed and each line keeps the origins of the words it
// held. Markers are characters of Unicode's private use area, which no script netform writes contains.
import type { Origin } from '../../diagnostics/origin.ts';

const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

/** A rendered text without its markers, and per line (0-based) the origins of what it holds. */
export interface AnnotatedText {
  readonly text: string;
  readonly lines: readonly (readonly Origin[])[];
}

export class OriginMarkers {
  private readonly origins: Origin[] = [];
  private readonly ids = new Map<Origin, number>();

  /** `word` with the marker of `origin` in front of it. */
  readonly tag = (origin: Origin, word: string): string => {
    let id = this.ids.get(origin);
    if (id === undefined) {
      id = this.origins.length;
      this.origins.push(origin);
      this.ids.set(origin, id);
    }
    return `${OPEN}${id}${CLOSE}${word}`;
  };

  /** Removes the markers from `text`; a line that held none gets `fallback`. */
  extract(text: string, fallback: Origin): AnnotatedText {
    const lines: Origin[][] = [];
    const out: string[] = [];
    for (const line of text.split('\n')) {
      const here: Origin[] = [];
      for (const m of line.matchAll(MARKER)) {
        const o = this.origins[Number(m[1])]!;
        if (!here.includes(o)) here.push(o);
      }
      lines.push(here.length > 0 ? here : [fallback]);
      out.push(here.length > 0 ? line.replace(MARKER, '') : line);
    }
    // The text ends with a newline: the empty string after it is no line.
    if (out[out.length - 1] === '') lines.pop();
    return { text: out.join('\n'), lines };
  }
}
