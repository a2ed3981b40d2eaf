//! A small deterministic mutation fuzzer for the test suite's smoke runs of the fuzz targets
//! (the long runs use cargo fuzz and libFuzzer; see `fuzz/`). From seed inputs it makes inputs
//! the way libFuzzer's simplest mutators do: flipped bits, interesting bytes, cuts, repeats,
//! insertions and splices, and feeds each to the target; a panic fails the test.

/// Runs `target` on every seed and then on `executions` mutants of them; returns how many inputs
/// it ran.
pub fn smoke(seeds: &[Vec<u8>], executions: usize, target: impl Fn(&[u8])) -> usize {
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    for seed in seeds {
        target(seed);
    }
    for _ in 0..executions {
        let seed = &seeds[next(&mut rng) as usize % seeds.len()];
        let other = &seeds[next(&mut rng) as usize % seeds.len()];
        let mut input = seed.clone();
        for _ in 0..1 + next(&mut rng) % 4 {
            mutate(&mut input, other, &mut rng);
        }
        target(&input);
    }
    seeds.len() + executions
}

fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn mutate(input: &mut Vec<u8>, other: &[u8], rng: &mut u64) {
    const INTERESTING: [u8; 8] = [0, 1, 0x7f, 0x80, 0xff, b'\n', b'"', b'='];
    let at = |rng: &mut u64, len: usize| if len == 0 { 0 } else { next(rng) as usize % len };
    match next(rng) % 7 {
        0 if !input.is_empty() => {
            let i = at(rng, input.len());
            input[i] ^= 1 << (next(rng) % 8);
        }
        1 if !input.is_empty() => {
            let i = at(rng, input.len());
            input[i] = INTERESTING[next(rng) as usize % INTERESTING.len()];
        }
        2 => input.truncate(at(rng, input.len() + 1)),
        3 if !input.is_empty() => {
            let (from, len) = (at(rng, input.len()), 1 + next(rng) as usize % 64);
            let chunk: Vec<u8> = input[from..(from + len).min(input.len())].to_vec();
            let to = at(rng, input.len() + 1);
            input.splice(to..to, chunk);
        }
        4 => {
            let to = at(rng, input.len() + 1);
            let bytes: Vec<u8> = (0..1 + next(rng) % 8).map(|_| next(rng) as u8).collect();
            input.splice(to..to, bytes);
        }
        5 if !other.is_empty() => {
            let (cut, from) = (at(rng, input.len() + 1), at(rng, other.len()));
            input.truncate(cut);
            input.extend_from_slice(&other[from..]);
        }
        _ if input.len() >= 4 => {
            // A big-endian u32 set to an extreme: the sizes in headers.
            let i = at(rng, input.len() - 3);
            let value = [0u32, 1, 0xffff_ffff, 0x8000_0000, 10_000][next(rng) as usize % 5];
            input[i..i + 4].copy_from_slice(&value.to_be_bytes());
        }
        _ => input.push(next(rng) as u8),
    }
}
