;; SIMD kernels for the training ops that tfjs-backend-wasm lacks or runs slowly (BatchNorm + ReLU forward and
;; backward, 2x bilinear upsampling, the channel-major copy of the conv filter gradient, Adam). They work in
;; place on the tfjs wasm heap: the memory is imported, every pointer is a byte offset into it.
;; Layout is NHWC: `rows` pixels of `ch` channels, ch a multiple of 4 (the JS wrappers check and fall back).
;; Statistics accumulate in f64 (two f64x2 per group of 4 channels).
;;
;; Source of kernels-wasm.ts (generated: npm run build:wasm-kernels; a test checks the two agree).
(module
  (import "env" "memory" (memory 1))

  ;; sums[ch] and sums of squares[ch] of x (f64 each, at acc and acc + 8*ch)
  (func (export "bn_stats") (param $x i32) (param $rows i32) (param $ch i32) (param $acc i32)
    (local $r i32) (local $c i32) (local $v v128) (local $lo v128) (local $hi v128) (local $a i32) (local $q i32)
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $ch) (i32.const 4)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (local.get $acc))
        (local.set $q (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 3))))
        (local.set $c (i32.const 0))
        (block $ch_done
          (loop $ch_loop
            (br_if $ch_done (i32.ge_u (local.get $c) (local.get $ch)))
            (local.set $v (v128.load (local.get $x)))
            (local.set $lo (f64x2.promote_low_f32x4 (local.get $v)))
            (local.set $hi (f64x2.promote_low_f32x4
              (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))
            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (local.get $lo)))
            (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a)) (local.get $hi)))
            (v128.store (local.get $q)
              (f64x2.add (v128.load (local.get $q)) (f64x2.mul (local.get $lo) (local.get $lo))))
            (v128.store offset=16 (local.get $q)
              (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.mul (local.get $hi) (local.get $hi))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $ch_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop))))

  ;; y = max(0, x*scale[c] + shift[c])
  (func (export "bn_apply") (param $x i32) (param $y i32) (param $rows i32) (param $ch i32)
    (param $scale i32) (param $shift i32)
    (local $r i32) (local $c i32) (local $zero v128)
    (local.set $zero (v128.const f32x4 0 0 0 0))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (block $ch_done
          (loop $ch_loop
            (br_if $ch_done (i32.ge_u (local.get $c) (local.get $ch)))
            (v128.store (local.get $y)
              (f32x4.max (local.get $zero)
                (f32x4.add
                  (f32x4.mul (v128.load (local.get $x))
                    (v128.load (i32.add (local.get $scale) (i32.shl (local.get $c) (i32.const 2)))))
                  (v128.load (i32.add (local.get $shift) (i32.shl (local.get $c) (i32.const 2)))))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $ch_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop))))

  ;; sums of dz and dz*(x - mean) per channel, dz = y > 0 ? dy : 0 (f64 at acc and acc + 8*ch)
  (func (export "bn_grad_reduce") (param $dy i32) (param $x i32) (param $y i32) (param $mean i32)
    (param $rows i32) (param $ch i32) (param $acc i32)
    (local $r i32) (local $c i32) (local $dz v128) (local $xc v128) (local $p v128)
    (local $a i32) (local $q i32) (local $zero v128)
    (local.set $zero (v128.const f32x4 0 0 0 0))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $ch) (i32.const 4)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (local.get $acc))
        (local.set $q (i32.add (local.get $acc) (i32.shl (local.get $ch) (i32.const 3))))
        (local.set $c (i32.const 0))
        (block $ch_done
          (loop $ch_loop
            (br_if $ch_done (i32.ge_u (local.get $c) (local.get $ch)))
            (local.set $dz (v128.and (v128.load (local.get $dy))
              (f32x4.gt (v128.load (local.get $y)) (local.get $zero))))
            (local.set $xc (f32x4.sub (v128.load (local.get $x))
              (v128.load (i32.add (local.get $mean) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $p (f32x4.mul (local.get $dz) (local.get $xc)))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $dz))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a)) (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $dz) (local.get $dz)))))
            (v128.store (local.get $q)
              (f64x2.add (v128.load (local.get $q)) (f64x2.promote_low_f32x4 (local.get $p))))
            (v128.store offset=16 (local.get $q)
              (f64x2.add (v128.load offset=16 (local.get $q)) (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $p) (local.get $p)))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $q (i32.add (local.get $q) (i32.const 32)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $ch_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop))))

  ;; dx = k1[c]*dz - k2[c] - k3[c]*(x - mean[c]); f64 sums of dx per channel at acc
  (func (export "bn_grad_apply") (param $dy i32) (param $x i32) (param $y i32) (param $mean i32)
    (param $k1 i32) (param $k2 i32) (param $k3 i32) (param $dx i32) (param $rows i32) (param $ch i32) (param $acc i32)
    (local $r i32) (local $c i32) (local $off i32) (local $dz v128) (local $v v128) (local $a i32) (local $zero v128)
    (local.set $zero (v128.const f32x4 0 0 0 0))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $ch) (i32.const 3)))
    (block $rows_done
      (loop $rows_loop
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (local.get $acc))
        (local.set $c (i32.const 0))
        (block $ch_done
          (loop $ch_loop
            (br_if $ch_done (i32.ge_u (local.get $c) (local.get $ch)))
            (local.set $off (i32.shl (local.get $c) (i32.const 2)))
            (local.set $dz (v128.and (v128.load (local.get $dy))
              (f32x4.gt (v128.load (local.get $y)) (local.get $zero))))
            (local.set $v
              (f32x4.sub
                (f32x4.sub
                  (f32x4.mul (v128.load (i32.add (local.get $k1) (local.get $off))) (local.get $dz))
                  (v128.load (i32.add (local.get $k2) (local.get $off))))
                (f32x4.mul (v128.load (i32.add (local.get $k3) (local.get $off)))
                  (f32x4.sub (v128.load (local.get $x)) (v128.load (i32.add (local.get $mean) (local.get $off)))))))
            (v128.store (local.get $dx) (local.get $v))
            (v128.store (local.get $a)
              (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v))))
            (v128.store offset=16 (local.get $a)
              (f64x2.add (v128.load offset=16 (local.get $a)) (f64x2.promote_low_f32x4
                (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (local.set $y (i32.add (local.get $y) (i32.const 16)))
            (local.set $dx (i32.add (local.get $dx) (i32.const 16)))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $ch_loop)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows_loop))))

  ;; 2x upsampling along one axis: src [outer, len, inner] -> dst [outer, 2*len, inner] (inner % 4 == 0)
  (func (export "upsample_axis") (param $src i32) (param $dst i32) (param $outer i32) (param $len i32) (param $inner i32)
    (local $o i32) (local $k i32) (local $i i32) (local $stride i32) (local $base i32)
    (local $here i32) (local $before i32) (local $after i32) (local $even i32) (local $odd i32) (local $centre v128)
    (local $q3 v128) (local $q1 v128)
    (local.set $q3 (f32x4.splat (f32.const 0.75)))
    (local.set $q1 (f32x4.splat (f32.const 0.25)))
    (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $base (i32.add (local.get $src) (i32.mul (i32.mul (local.get $o) (local.get $len)) (local.get $stride))))
        (local.set $even (i32.add (local.get $dst) (i32.mul (i32.mul (local.get $o) (i32.shl (local.get $len) (i32.const 1))) (local.get $stride))))
        (local.set $k (i32.const 0))
        (block $k_done
          (loop $k_loop
            (br_if $k_done (i32.ge_u (local.get $k) (local.get $len)))
            (local.set $here (i32.add (local.get $base) (i32.mul (local.get $k) (local.get $stride))))
            (local.set $before (select (i32.sub (local.get $here) (local.get $stride)) (local.get $here)
              (i32.gt_u (local.get $k) (i32.const 0))))
            (local.set $after (select (i32.add (local.get $here) (local.get $stride)) (local.get $here)
              (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $len))))
            (local.set $odd (i32.add (local.get $even) (local.get $stride)))
            (local.set $i (i32.const 0))
            (block $i_done
              (loop $i_loop
                (br_if $i_done (i32.ge_u (local.get $i) (local.get $stride)))
                (local.set $centre (f32x4.mul (local.get $q3) (v128.load (i32.add (local.get $here) (local.get $i)))))
                (v128.store (i32.add (local.get $even) (local.get $i))
                  (f32x4.add (local.get $centre)
                    (f32x4.mul (local.get $q1) (v128.load (i32.add (local.get $before) (local.get $i))))))
                (v128.store (i32.add (local.get $odd) (local.get $i))
                  (f32x4.add (local.get $centre)
                    (f32x4.mul (local.get $q1) (v128.load (i32.add (local.get $after) (local.get $i))))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $i_loop)))
            (local.set $even (i32.add (local.get $odd) (local.get $stride)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $k_loop)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $o_loop))))

  ;; transpose of upsample_axis: dOut [outer, 2*len, inner] -> dIn [outer, len, inner] (dIn overwritten)
  (func (export "upsample_axis_back") (param $dout i32) (param $din i32) (param $outer i32) (param $len i32) (param $inner i32)
    (local $o i32) (local $k i32) (local $i i32) (local $stride i32) (local $base i32)
    (local $here i32) (local $before i32) (local $after i32) (local $even i32) (local $odd i32)
    (local $e v128) (local $d v128) (local $q3 v128) (local $q1 v128) (local $p i32)
    (local.set $q3 (f32x4.splat (f32.const 0.75)))
    (local.set $q1 (f32x4.splat (f32.const 0.25)))
    (local.set $stride (i32.shl (local.get $inner) (i32.const 2)))
    (memory.fill (local.get $din) (i32.const 0)
      (i32.mul (i32.mul (local.get $outer) (local.get $len)) (local.get $stride)))
    (block $o_done
      (loop $o_loop
        (br_if $o_done (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $base (i32.add (local.get $din) (i32.mul (i32.mul (local.get $o) (local.get $len)) (local.get $stride))))
        (local.set $even (i32.add (local.get $dout) (i32.mul (i32.mul (local.get $o) (i32.shl (local.get $len) (i32.const 1))) (local.get $stride))))
        (local.set $k (i32.const 0))
        (block $k_done
          (loop $k_loop
            (br_if $k_done (i32.ge_u (local.get $k) (local.get $len)))
            (local.set $here (i32.add (local.get $base) (i32.mul (local.get $k) (local.get $stride))))
            (local.set $before (select (i32.sub (local.get $here) (local.get $stride)) (local.get $here)
              (i32.gt_u (local.get $k) (i32.const 0))))
            (local.set $after (select (i32.add (local.get $here) (local.get $stride)) (local.get $here)
              (i32.lt_u (i32.add (local.get $k) (i32.const 1)) (local.get $len))))
            (local.set $odd (i32.add (local.get $even) (local.get $stride)))
            (local.set $i (i32.const 0))
            (block $i_done
              (loop $i_loop
                (br_if $i_done (i32.ge_u (local.get $i) (local.get $stride)))
                (local.set $e (v128.load (i32.add (local.get $even) (local.get $i))))
                (local.set $d (v128.load (i32.add (local.get $odd) (local.get $i))))
                (local.set $p (i32.add (local.get $here) (local.get $i)))
                (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p))
                  (f32x4.mul (local.get $q3) (f32x4.add (local.get $e) (local.get $d)))))
                (local.set $p (i32.add (local.get $before) (local.get $i)))
                (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $q1) (local.get $e))))
                (local.set $p (i32.add (local.get $after) (local.get $i)))
                (v128.store (local.get $p) (f32x4.add (v128.load (local.get $p)) (f32x4.mul (local.get $q1) (local.get $d))))
                (local.set $i (i32.add (local.get $i) (i32.const 16)))
                (br $i_loop)))
            (local.set $even (i32.add (local.get $odd) (local.get $stride)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $k_loop)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $o_loop))))

  ;; NHWC x [n, h, w, ci] -> channel-major rows dst[k*row + (b*hp + r + top)*wp + c + left] (the zero padding
;; around is the caller's memory.fill). Per image row, channel by channel: the writes are contiguous and the
;; strided reads stay within one image row of x (a few tens of KiB), so both stay in cache.
  (func (export "to_channel_major") (param $x i32) (param $dst i32) (param $n i32) (param $h i32) (param $w i32)
    (param $ci i32) (param $hp i32) (param $wp i32) (param $top i32) (param $left i32) (param $row i32)
    (local $b i32) (local $r i32) (local $c i32) (local $k i32) (local $g i32) (local $src i32) (local $p i32)
    (local $rowBytes i32) (local $pixelBytes i32) (local $xrow i32)
    (local.set $rowBytes (i32.shl (local.get $row) (i32.const 2)))
    (local.set $pixelBytes (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $xrow (local.get $x))
    (block $b_done
      (loop $b_loop
        (br_if $b_done (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $r (i32.const 0))
        (block $r_done
          (loop $r_loop
            (br_if $r_done (i32.ge_u (local.get $r) (local.get $h)))
            (local.set $g (i32.add
              (i32.mul (i32.add (i32.mul (local.get $b) (local.get $hp)) (i32.add (local.get $r) (local.get $top)))
                (local.get $wp))
              (local.get $left)))
            (local.set $k (i32.const 0))
            (block $k_done
              (loop $k_loop
                (br_if $k_done (i32.ge_u (local.get $k) (local.get $ci)))
                (local.set $src (i32.add (local.get $xrow) (i32.shl (local.get $k) (i32.const 2))))
                (local.set $p (i32.add (local.get $dst)
                  (i32.add (i32.mul (local.get $k) (local.get $rowBytes)) (i32.shl (local.get $g) (i32.const 2)))))
                (local.set $c (i32.const 0))
                (block $c_done
                  (loop $c_loop
                    (br_if $c_done (i32.ge_u (local.get $c) (local.get $w)))
                    (f32.store (local.get $p) (f32.load (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (local.get $pixelBytes)))
                    (local.set $p (i32.add (local.get $p) (i32.const 4)))
                    (local.set $c (i32.add (local.get $c) (i32.const 1)))
                    (br $c_loop)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $k_loop)))
            (local.set $xrow (i32.add (local.get $xrow) (i32.mul (local.get $w) (local.get $pixelBytes))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $r_loop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $b_loop))))

;; Conv filter [kh, kw, ci, co] -> rotated 180° with channel axes swapped, [kh, kw, co, ci] (the input gradient's
;; filter): dst[a, b, o, i] = src[kh-1-a, kw-1-b, i, o]
  (func (export "flip_filter") (param $src i32) (param $dst i32) (param $kh i32) (param $kw i32) (param $ci i32)
    (param $co i32)
    (local $t i32) (local $taps i32) (local $o i32) (local $i i32) (local $from i32) (local $p i32) (local $q i32)
    (local $plane i32)
    (local.set $taps (i32.mul (local.get $kh) (local.get $kw)))
    (local.set $plane (i32.shl (i32.mul (local.get $ci) (local.get $co)) (i32.const 2)))
    (block $t_done
      (loop $t_loop
        (br_if $t_done (i32.ge_u (local.get $t) (local.get $taps)))
        ;; tap t = a*kw + b reads tap (taps - 1 - t)
        (local.set $from (i32.add (local.get $src)
          (i32.mul (i32.sub (i32.sub (local.get $taps) (i32.const 1)) (local.get $t)) (local.get $plane))))
        (local.set $o (i32.const 0))
        (block $o_done
          (loop $o_loop
            (br_if $o_done (i32.ge_u (local.get $o) (local.get $co)))
            (local.set $q (i32.add (local.get $from) (i32.shl (local.get $o) (i32.const 2))))
            (local.set $i (i32.const 0))
            (block $i_done
              (loop $i_loop
                (br_if $i_done (i32.ge_u (local.get $i) (local.get $ci)))
                (f32.store (local.get $dst) (f32.load (local.get $q)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                (local.set $q (i32.add (local.get $q) (i32.shl (local.get $co) (i32.const 2))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $i_loop)))
            (local.set $o (i32.add (local.get $o) (i32.const 1)))
            (br $o_loop)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $t_loop))))

;; Adam (PyTorch semantics, coupled L2), n a multiple of 4; writes p2, m2, v2
  (func (export "adam") (param $p i32) (param $g i32) (param $m i32) (param $v i32) (param $p2 i32) (param $m2 i32)
    (param $v2 i32) (param $n i32) (param $wd f32) (param $b1 f32) (param $b2 f32) (param $stepSize f32)
    (param $rootBc2 f32) (param $eps f32)
    (local $i i32) (local $pv v128) (local $gv v128) (local $mv v128) (local $vv v128)
    (local $wdv v128) (local $b1v v128) (local $nb1v v128) (local $b2v v128) (local $nb2v v128)
    (local $sv v128) (local $rv v128) (local $ev v128)
    (local.set $wdv (f32x4.splat (local.get $wd)))
    (local.set $b1v (f32x4.splat (local.get $b1)))
    (local.set $nb1v (f32x4.splat (f32.sub (f32.const 1) (local.get $b1))))
    (local.set $b2v (f32x4.splat (local.get $b2)))
    (local.set $nb2v (f32x4.splat (f32.sub (f32.const 1) (local.get $b2))))
    (local.set $sv (f32x4.splat (local.get $stepSize)))
    (local.set $rv (f32x4.splat (local.get $rootBc2)))
    (local.set $ev (f32x4.splat (local.get $eps)))
    (local.set $n (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $pv (v128.load (i32.add (local.get $p) (local.get $i))))
        (local.set $gv (f32x4.add (v128.load (i32.add (local.get $g) (local.get $i)))
          (f32x4.mul (local.get $wdv) (local.get $pv))))
        (local.set $mv (f32x4.add (f32x4.mul (local.get $b1v) (v128.load (i32.add (local.get $m) (local.get $i))))
          (f32x4.mul (local.get $nb1v) (local.get $gv))))
        (local.set $vv (f32x4.add (f32x4.mul (local.get $b2v) (v128.load (i32.add (local.get $v) (local.get $i))))
          (f32x4.mul (local.get $nb2v) (f32x4.mul (local.get $gv) (local.get $gv)))))
        (v128.store (i32.add (local.get $m2) (local.get $i)) (local.get $mv))
        (v128.store (i32.add (local.get $v2) (local.get $i)) (local.get $vv))
        (v128.store (i32.add (local.get $p2) (local.get $i))
          (f32x4.sub (local.get $pv)
            (f32x4.div (f32x4.mul (local.get $sv) (local.get $mv))
              (f32x4.add (f32x4.div (f32x4.sqrt (local.get $vv)) (local.get $rv)) (local.get $ev)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $loop))))
;; Gradient of 2x2/2 max-pooling (NHWC, even H and W): each dy goes to the first input of its window that
;; equals the pooled maximum (window order (0,0) (0,1) (1,0) (1,1), tfjs's and PyTorch's tie rule).
  (func (export "max_pool2_grad") (param $dy i32) (param $x i32) (param $y i32) (param $dx i32) (param $n i32)
    (param $ho i32) (param $wo i32) (param $ch i32)
    (local $b i32) (local $i i32) (local $j i32) (local $c i32) (local $row i32) (local $px i32) (local $o i32)
    (local $p00 i32) (local $p01 i32) (local $p10 i32) (local $p11 i32)
    (local $m v128) (local $g v128) (local $taken v128) (local $hit v128)
    (local.set $px (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $row (i32.mul (i32.shl (local.get $wo) (i32.const 1)) (local.get $px)))
    (block $b_done
      (loop $b_loop
        (br_if $b_done (i32.ge_u (local.get $b) (local.get $n)))
        (local.set $i (i32.const 0))
        (block $i_done
          (loop $i_loop
            (br_if $i_done (i32.ge_u (local.get $i) (local.get $ho)))
            (local.set $j (i32.const 0))
            (block $j_done
              (loop $j_loop
                (br_if $j_done (i32.ge_u (local.get $j) (local.get $wo)))
                ;; byte offset of the window's top-left input pixel
                (local.set $p00 (i32.add
                  (i32.mul (i32.add (i32.mul (local.get $b) (i32.shl (local.get $ho) (i32.const 1)))
                    (i32.shl (local.get $i) (i32.const 1))) (local.get $row))
                  (i32.mul (i32.shl (local.get $j) (i32.const 1)) (local.get $px))))
                (local.set $p01 (i32.add (local.get $p00) (local.get $px)))
                (local.set $p10 (i32.add (local.get $p00) (local.get $row)))
                (local.set $p11 (i32.add (local.get $p10) (local.get $px)))
                (local.set $c (i32.const 0))
                (block $c_done
                  (loop $c_loop
                    (br_if $c_done (i32.ge_u (local.get $c) (local.get $px)))
                    (local.set $m (v128.load (i32.add (local.get $y) (local.get $o))))
                    (local.set $g (v128.load (i32.add (local.get $dy) (local.get $o))))
                    (local.set $hit (f32x4.eq (v128.load (i32.add (local.get $x) (i32.add (local.get $p00) (local.get $c)))) (local.get $m)))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $p00) (local.get $c))) (v128.and (local.get $g) (local.get $hit)))
                    (local.set $taken (local.get $hit))
                    (local.set $hit (v128.andnot
                      (f32x4.eq (v128.load (i32.add (local.get $x) (i32.add (local.get $p01) (local.get $c)))) (local.get $m))
                      (local.get $taken)))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $p01) (local.get $c))) (v128.and (local.get $g) (local.get $hit)))
                    (local.set $taken (v128.or (local.get $taken) (local.get $hit)))
                    (local.set $hit (v128.andnot
                      (f32x4.eq (v128.load (i32.add (local.get $x) (i32.add (local.get $p10) (local.get $c)))) (local.get $m))
                      (local.get $taken)))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $p10) (local.get $c))) (v128.and (local.get $g) (local.get $hit)))
                    (local.set $taken (v128.or (local.get $taken) (local.get $hit)))
                    (local.set $hit (v128.andnot
                      (f32x4.eq (v128.load (i32.add (local.get $x) (i32.add (local.get $p11) (local.get $c)))) (local.get $m))
                      (local.get $taken)))
                    (v128.store (i32.add (local.get $dx) (i32.add (local.get $p11) (local.get $c))) (v128.and (local.get $g) (local.get $hit)))
                    (local.set $c (i32.add (local.get $c) (i32.const 16)))
                    (local.set $o (i32.add (local.get $o) (i32.const 16)))
                    (br $c_loop)))
                (local.set $j (i32.add (local.get $j) (i32.const 1)))
                (br $j_loop)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $i_loop)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $b_loop))))
;; Channel concatenation of two NHWC tensors with the same pixels: out[p] = a[p] ++ b[p] (sizes in bytes)
  (func (export "interleave2") (param $a i32) (param $b i32) (param $out i32) (param $pixels i32) (param $ca i32)
    (param $cb i32)
    (local $p i32)
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $pixels)))
        (memory.copy (local.get $out) (local.get $a) (local.get $ca))
        (local.set $out (i32.add (local.get $out) (local.get $ca)))
        (local.set $a (i32.add (local.get $a) (local.get $ca)))
        (memory.copy (local.get $out) (local.get $b) (local.get $cb))
        (local.set $out (i32.add (local.get $out) (local.get $cb)))
        (local.set $b (i32.add (local.get $b) (local.get $cb)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $loop))))

;; The inverse: split each pixel's channels into a (first ca bytes) and b (next cb bytes)
  (func (export "deinterleave2") (param $src i32) (param $a i32) (param $b i32) (param $pixels i32) (param $ca i32)
    (param $cb i32)
    (local $p i32)
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $p) (local.get $pixels)))
        (memory.copy (local.get $a) (local.get $src) (local.get $ca))
        (local.set $src (i32.add (local.get $src) (local.get $ca)))
        (local.set $a (i32.add (local.get $a) (local.get $ca)))
        (memory.copy (local.get $b) (local.get $src) (local.get $cb))
        (local.set $src (i32.add (local.get $src) (local.get $cb)))
        (local.set $b (i32.add (local.get $b) (local.get $cb)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $loop))))
)
