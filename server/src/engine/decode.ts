/**
 * Turning file bytes into text the engine can analyse, or a clear reason why not.
 * Python source is UTF-8 (PEP 3120); a UTF-8 BOM is accepted and remembered so fixes keep it.
 */

export interface DecodedSource {
  text: string;
  hasBom: boolean;
}

export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceError';
  }
}

/** Files above this size are not analysed (they are generated code or data, not a data source). */
export const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Why decoded text cannot be analysed, if it cannot: a NUL character (Python refuses such
 * source, and tree-sitter would read it as the end of the file, silently dropping the rest).
 */
export function textProblem(text: string): { offset: number; message: string } | undefined {
  const nul = text.indexOf('\0');
  if (nul >= 0) return { offset: nul, message: 'contains a NUL byte; binary files are not Python source' };
  return undefined;
}

export function decodeSource(bytes: Uint8Array, maxBytes = DEFAULT_MAX_FILE_BYTES): DecodedSource {
  if (bytes.length > maxBytes) {
    throw new SourceError(`file is ${formatBytes(bytes.length)}, larger than the ${formatBytes(maxBytes)} limit; not analysed`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new SourceError(`contains a NUL byte at offset ${nul}; binary files are not Python source`);
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new SourceError(`is not valid UTF-8 (at byte ${firstInvalidUtf8(bytes)}); save it as UTF-8 to lint it`);
  }
  const hasBom = text.charCodeAt(0) === 0xfeff;
  return { text: hasBom ? text.slice(1) : text, hasBom };
}

export function encodeSource(source: DecodedSource): Buffer {
  return Buffer.from((source.hasBom ? '\ufeff' : '') + source.text, 'utf8');
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} bytes`;
}

/** Offset of the first byte that breaks UTF-8, for the error message. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let n = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) n = 2;
    else if (b >= 0xf0 && b <= 0xf4) n = 3;
    else return i;
    if (i + n >= bytes.length + (n ? 0 : 1) && n) return i;
    for (let k = 1; k <= n; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return i;
}
