// UTF-16 units in shared memory back to strings, fast for short ones.

const char = String.fromCharCode;

/** `length` UTF-16 units from `u16[at]` on, as a string (lone surrogates kept). */
export function readString(u16: Uint16Array, at: number, length: number): string {
  if (length <= 64) return readShort(u16, at, length);
  // Chunks keep apply() within the argument limit; fromCharCode (unlike a
  // UTF-16 TextDecoder) keeps lone surrogates as they were.
  const parts: string[] = [];
  for (let i = 0; i < length; i += 4096) {
    const chunk = u16.slice(at + i, at + Math.min(length, i + 4096));
    parts.push(String.fromCharCode.apply(null, chunk as unknown as number[]));
  }
  return parts.join('');
}

// A short string from UTF-16 code units: fromCharCode with a fixed number of
// arguments, 8 units per call (~4x faster than one call per unit, and no
// subarray or apply).
export function readShort(u16: Uint16Array, at: number, length: number): string {
  let s = '';
  let i = at;
  const end = at + length;
  for (; i + 8 <= end; i += 8) {
    s += char(
      u16[i]!,
      u16[i + 1]!,
      u16[i + 2]!,
      u16[i + 3]!,
      u16[i + 4]!,
      u16[i + 5]!,
      u16[i + 6]!,
      u16[i + 7]!,
    );
  }
  switch (end - i) {
    case 0:
      return s;
    case 1:
      return s + char(u16[i]!);
    case 2:
      return s + char(u16[i]!, u16[i + 1]!);
    case 3:
      return s + char(u16[i]!, u16[i + 1]!, u16[i + 2]!);
    case 4:
      return s + char(u16[i]!, u16[i + 1]!, u16[i + 2]!, u16[i + 3]!);
    case 5:
      return s + char(u16[i]!, u16[i + 1]!, u16[i + 2]!, u16[i + 3]!, u16[i + 4]!);
    case 6:
      return s + char(u16[i]!, u16[i + 1]!, u16[i + 2]!, u16[i + 3]!, u16[i + 4]!, u16[i + 5]!);
    default:
      return (
        s +
        char(u16[i]!, u16[i + 1]!, u16[i + 2]!, u16[i + 3]!, u16[i + 4]!, u16[i + 5]!, u16[i + 6]!)
      );
  }
}
