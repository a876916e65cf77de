import { compileOptimizedWasm } from '../wasm-tier.js';
import { STAMP_KERNEL_WASM } from './stamp-kernel.bytes.js';

/** The longest stamp the kernel writes (it stores three 16-byte vectors). */
export const KERNEL_MAX_PREFIX = 48;
/** Input bytes per call: a pipe read's worth, so a chunk is one call. */
const PIECE = 64 * 1024;
/** Room the kernel may read or write past the end of its input and output. */
const SLACK = 64;
const INPUT_AT = 64;
const OUTPUT_AT = INPUT_AT + PIECE + SLACK;
export const NEWLINE = 0x0a;
const RETURN = 0x0d;
/** A lone newline: the end of a line cut short, or of one whose '\r' was dropped. */
export const LINE_END = Buffer.of(NEWLINE);
const PAGE = 64 * 1024;

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  stamp(i: number, end: number, j: number, plen: number): number;
}

// Node has WebAssembly; TypeScript declares it only in the DOM's lib, so the part used here.
declare const WebAssembly: { Instance: new (module: object) => { exports: object } };

/**
 * Stamps whole lines with the WebAssembly loop of stamp-kernel.wat, which copies 16 bytes
 * at a time (measured on 64 KB chunks: ~1,300 MB/s of 10-byte lines, ~5,000 of 100-byte
 * ones; a JS loop copying four bytes at a time made 330 and 1,100). Each call copies its
 * input into the module's memory and the stamped lines out of it. Null from `load()` where
 * WebAssembly SIMD is missing (a CPU without SSE4.1, node --jitless or --lite-mode): the
 * stamper then copies line by line.
 */
export class StampKernel {
  private memory: Uint8Array;

  private constructor(private readonly exports: KernelExports) {
    this.memory = new Uint8Array(exports.memory.buffer);
  }

  static load(): StampKernel | null {
    try {
      const module = compileOptimizedWasm(Buffer.from(STAMP_KERNEL_WASM, 'base64'));
      return new StampKernel(new WebAssembly.Instance(module).exports as unknown as KernelExports);
    } catch {
      return null;
    }
  }

  /**
   * Each line of `data[0, end)` after `prefix` (at most KERNEL_MAX_PREFIX bytes), the first
   * line continuing `held`; `data[end - 1]` is '\n'. A line longer than a piece, or held
   * over longer than one, is copied natively.
   */
  stamp(prefix: Buffer, held: Buffer | null, data: Buffer, end: number): Buffer {
    const parts: Buffer[] = [];
    for (let i = 0; i < end; held = null) {
      let to = Math.min(end, i + PIECE);
      if (to < end) to = data.lastIndexOf(NEWLINE, to - 1) + 1;
      // The module's memory never shrinks: a long held line does not go through it.
      if (to <= i || (held && held.length > PIECE)) {
        to = data.indexOf(NEWLINE, i) + 1;
        parts.push(longLine(prefix, held, data.subarray(i, to)));
      } else {
        parts.push(this.piece(prefix, held, data, i, to));
      }
      i = to;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** One call of the kernel on the lines of `data[from, to)`. */
  private piece(prefix: Buffer, held: Buffer | null, data: Buffer, from: number, to: number): Buffer {
    const heldLength = held ? held.length : 0;
    // Worst case: every byte a line of its own, each with a stamp.
    this.reserve(OUTPUT_AT + prefix.length + heldLength + (to - from) * (prefix.length + 1) + SLACK);
    const memory = this.memory;
    memory.set(prefix, 0);
    memory.set(data.subarray(from, to), INPUT_AT);
    memory.set(prefix, OUTPUT_AT);
    let j = OUTPUT_AT + prefix.length;
    if (held) memory.set(held, j);
    j += heldLength;
    const last = this.exports.stamp(INPUT_AT, INPUT_AT + to - from, j, prefix.length);
    const out = Buffer.allocUnsafeSlow(last - OUTPUT_AT);
    out.set(memory.subarray(OUTPUT_AT, last));
    return out;
  }

  private reserve(bytes: number): void {
    const memory = this.exports.memory;
    if (bytes <= memory.buffer.byteLength) return;
    memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
    this.memory = new Uint8Array(memory.buffer);
  }
}

/** Stamps the lines of `data[0, end)` after `prefix`, the first continuing `held` (see StampKernel#stamp). */
export type StampLines = (prefix: Buffer, held: Buffer | null, data: Buffer, end: number) => Buffer;

let kernel: StampKernel | null | undefined;

/**
 * With the kernel, loaded on first use, unless it is missing, the stamp too long for it, or
 * ZMART_STAMP_KERNEL=off (the JavaScript copy alone: what bench/stamp-kernel.mjs weighs it against).
 */
export const stampLines: StampLines = (prefix, held, data, end) => {
  if (kernel === undefined) kernel = process.env.ZMART_STAMP_KERNEL === 'off' ? null : StampKernel.load();
  if (!kernel || prefix.length > KERNEL_MAX_PREFIX) return stampLineByLine(prefix, held, data, end);
  return kernel.stamp(prefix, held, data, end);
};

/** Without the kernel: each line found and copied natively (3-10x slower: 94 MB/s for 10-byte lines, 750 for 100-byte). */
export const stampLineByLine: StampLines = (prefix, held, data, end) => {
  const parts: Buffer[] = [];
  for (let i = 0; i < end; held = null) {
    const next = data.indexOf(NEWLINE, i) + 1;
    if (held) parts.push(longLine(prefix, held, data.subarray(i, next)));
    else if (next - i >= 2 && data[next - 2] === RETURN) parts.push(prefix, data.subarray(i, next - 2), LINE_END);
    else parts.push(prefix, data.subarray(i, next));
    i = next;
  }
  return Buffer.concat(parts);
};

/** One line copied natively: `prefix`, `held`, then the line without a trailing '\r'. */
function longLine(prefix: Buffer, held: Buffer | null, line: Buffer): Buffer {
  const joined = Buffer.concat(held ? [prefix, held, line] : [prefix, line]);
  return joined.length >= 2 && joined[joined.length - 2] === RETURN ? Buffer.concat([joined.subarray(0, -2), LINE_END]) : joined;
}
