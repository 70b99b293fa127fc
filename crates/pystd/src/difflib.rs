//! `difflib.get_close_matches`, which the AWS CLI uses to suggest a choice after `Found
//! invalid choice`.

/// Python's `difflib.get_close_matches`: candidates whose `SequenceMatcher.ratio()` is at
/// least `cutoff`, best first (ties: the greater string first, as `heapq.nlargest` does).
pub fn get_close_matches(
    word: &str,
    possibilities: &[String],
    n: usize,
    cutoff: f64,
) -> Vec<String> {
    let w: Vec<char> = word.chars().collect();
    let mut scored: Vec<(f64, &String)> = possibilities
        .iter()
        .filter_map(|p| {
            let x: Vec<char> = p.chars().collect();
            let r = ratio(&x, &w);
            (r >= cutoff).then_some((r, p))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| b.1.cmp(a.1)));
    scored.into_iter().take(n).map(|(_, s)| s.clone()).collect()
}

/// `SequenceMatcher(None, a, b).ratio()` = 2*M/T, M from difflib's recursive longest-match
/// blocks (no junk; the autojunk heuristic only applies to sequences of 200+ items).
fn ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    2.0 * matching_chars(a, b) as f64 / total as f64
}

fn matching_chars(a: &[char], b: &[char]) -> usize {
    // difflib's find_longest_match: the longest block, earliest in `a`, then earliest in `b`.
    let mut best = (0, 0, 0);
    for i in 0..a.len() {
        for j in 0..b.len() {
            let mut k = 0;
            while i + k < a.len() && j + k < b.len() && a[i + k] == b[j + k] {
                k += 1;
            }
            if k > best.2 {
                best = (i, j, k);
            }
        }
    }
    let (i, j, k) = best;
    if k == 0 {
        return 0;
    }
    k + matching_chars(&a[..i], &b[..j]) + matching_chars(&a[i + k..], &b[j + k..])
}

#[cfg(test)]
mod tests {
    use super::get_close_matches;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn close_matches_like_difflib() {
        let outputs = strings(&["json", "text", "table", "yaml", "yaml-stream", "off"]);
        assert_eq!(get_close_matches("jsn", &outputs, 3, 0.8), ["json"]);
        assert_eq!(get_close_matches("yml", &outputs, 3, 0.8), ["yaml"]);
        assert!(get_close_matches("foo", &outputs, 3, 0.8).is_empty());
        let ops = strings(&["get-token"]);
        assert_eq!(get_close_matches("get-tokn", &ops, 3, 0.8), ["get-token"]);
        assert!(get_close_matches("ekz", &strings(&["eks"]), 3, 0.8).is_empty());
    }
}
