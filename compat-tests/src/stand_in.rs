//! What the stand-in browser (`src/bin/stand-in-browser.rs`) sends back, as the
//! recorder's `browser.py` computes it: the authorization request's `redirect_uri` with a
//! code and the request's state (`approve`), an error (`deny`) or another state
//! (`wrong-state`).

/// `redirect_uri + '?' + urlencode(params)` for the authorize URL `url`, where the query
/// is read as `dict(parse_qsl(query))` (blank values dropped, the last of a name kept).
pub fn callback_url(url: &str, mode: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let query = query.split('#').next().unwrap_or("");
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (unquote_plus(k), unquote_plus(v));
        if !v.is_empty() {
            params.retain(|(name, _)| *name != k);
            params.push((k, v));
        }
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map_or(String::new(), |(_, v)| v.clone())
    };
    let state = get("state");
    let answer: Vec<(&str, String)> = match mode {
        "deny" => vec![("error", "access_denied".into()), ("state", state)],
        "wrong-state" => vec![
            ("code", "authcode-123".into()),
            ("state", "not-the-state".into()),
        ],
        _ => vec![("code", "authcode-123".into()), ("state", state)],
    };
    let encoded: Vec<String> = answer
        .iter()
        .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(v)))
        .collect();
    format!("{}?{}", get("redirect_uri"), encoded.join("&"))
}

/// `urllib.parse.unquote_plus`.
fn unquote_plus(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `urllib.parse.quote_plus` (what `urlencode` applies to names and values).
fn quote_plus(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || b"_.-~".contains(&b) => out.push(b as char),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `browser.py` sent for the same URLs (checked side by side).
    #[test]
    fn callbacks_like_browser_py() {
        let url = "http://127.0.0.1:1/authorize?response_type=code&client_id=c+d&redirect_uri=http%3A%2F%2F127.0.0.1%3A4242%2Foauth%2Fcallback&state=ab%2Fc+d&empty=&code_challenge=x";
        let cb = "http://127.0.0.1:4242/oauth/callback";
        assert_eq!(
            callback_url(url, "approve"),
            format!("{cb}?code=authcode-123&state=ab%2Fc+d")
        );
        assert_eq!(
            callback_url(url, ""),
            format!("{cb}?code=authcode-123&state=ab%2Fc+d")
        );
        assert_eq!(
            callback_url(url, "deny"),
            format!("{cb}?error=access_denied&state=ab%2Fc+d")
        );
        assert_eq!(
            callback_url(url, "wrong-state"),
            format!("{cb}?code=authcode-123&state=not-the-state")
        );
        // The last of a repeated name; a device page has no redirect_uri.
        assert_eq!(
            callback_url(&format!("{url}&state=2nd"), "approve"),
            format!("{cb}?code=authcode-123&state=2nd")
        );
        assert_eq!(
            callback_url("https://device.example/?user_code=X", "approve"),
            "?code=authcode-123&state="
        );
    }
}
