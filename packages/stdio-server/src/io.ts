/** Where a command writes: `out` for its result (stdout), `err` for everything said to the person. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}
