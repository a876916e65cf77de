;; The line stamper's inner loop (core/logging/stamp-kernel.ts drives it): copies whole lines
;; from the input to the output, a 16-byte vector at a time, and puts the stamp before every
;; line but the first (the caller writes the first line's stamp and the bytes it continues).
;; A line's trailing '\r' is dropped. Assembled by `npm run wasm` into stamp-kernel.bytes.ts.
;;
;; The caller's side of the bargain:
;;   - the stamp is at address 0, at most 48 bytes, and the loop stores all 48 (only `plen`
;;     count; the rest is overwritten by the line after it);
;;   - input[i, end) holds whole lines: it is not empty and input[end - 1] is '\n';
;;   - 64 readable bytes past `end` and 64 writable bytes past the output's end, since the
;;     loop reads and writes whole vectors past a newline (what it writes there is overwritten
;;     by the next line or ignored).
(module
  (memory (export "memory") 1)
  (func (export "stamp") (param $i i32) (param $end i32) (param $j i32) (param $plen i32) (result i32)
    (local $found i32)
    (local $v v128)
    (local $newlines v128)
    (local $p0 v128)
    (local $p1 v128)
    (local $p2 v128)
    (local.set $newlines (i8x16.splat (i32.const 10)))
    (local.set $p0 (v128.load (i32.const 0)))
    (local.set $p1 (v128.load (i32.const 16)))
    (local.set $p2 (v128.load (i32.const 32)))
    (block $done
      (loop $line
        ;; Copy 16 bytes at a time until a vector holds a newline; $found: a bit per '\n'.
        (block $newline
          (loop $copy
            (local.set $v (v128.load (local.get $i)))
            (v128.store (local.get $j) (local.get $v))
            (local.set $found (i8x16.bitmask (i8x16.eq (local.get $v) (local.get $newlines))))
            (br_if $newline (local.get $found))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $copy)))
        ;; Step past the first newline of the vector: the line ends there.
        (local.set $found (i32.add (i32.ctz (local.get $found)) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (local.get $found)))
        (local.set $j (i32.add (local.get $j) (local.get $found)))
        (if (i32.eq (i32.load8_u (i32.sub (local.get $j) (i32.const 2))) (i32.const 13))
          (then
            (i32.store8 (i32.sub (local.get $j) (i32.const 2)) (i32.const 10))
            (local.set $j (i32.sub (local.get $j) (i32.const 1)))))
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; The next line's stamp.
        (v128.store (local.get $j) (local.get $p0))
        (v128.store offset=16 (local.get $j) (local.get $p1))
        (v128.store offset=32 (local.get $j) (local.get $p2))
        (local.set $j (i32.add (local.get $j) (local.get $plen)))
        (br $line)))
    (local.get $j)))
