//! Helpers for the unit tests.

/// `count` inputs made from `seed` by a few random truncations, replacements and
/// insertions of characters from `alphabet` (a fixed xorshift sequence: the same inputs
/// every run).
pub fn mutations(seed: &str, alphabet: &str, count: usize) -> impl Iterator<Item = String> {
    let seed: Vec<char> = seed.chars().collect();
    let alphabet: Vec<char> = alphabet.chars().collect();
    let mut state = 0x853c_49e6_748f_ea9bu64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state as usize
    };
    (0..count).map(move |_| {
        let mut input = seed.clone();
        for _ in 0..(next() % 4 + 1) {
            let at = next() % (input.len() + 1);
            match next() % 3 {
                0 => input.truncate(at),
                1 if at < input.len() => input[at] = alphabet[next() % alphabet.len()],
                _ => input.insert(at.min(input.len()), alphabet[next() % alphabet.len()]),
            }
        }
        input.into_iter().collect()
    })
}
