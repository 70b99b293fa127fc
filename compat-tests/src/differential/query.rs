//! Random JMESPath expressions over a command's output document: mostly valid, touching
//! every kind of node, run-time type errors, odd literals (`1e400` is a float infinity in
//! Python) and now and then a syntax error.

use super::spec::Draw;

/// Literals whose value Python and Rust may spell or compare differently.
const LITERALS: &[&str] = &[
    "`1e400`",
    "`-1e400`",
    "`1e-400`",
    "`1.5`",
    "`0`",
    "`-0`",
    "`-0.0`",
    "`1.0`",
    "`100`",
    "`1e3`",
    "`0.1`",
    "`3.141592653589793238`",
    "`123456789012345678901234567890`",
    "`-7`",
    "`\"str\"`",
    "`\"\"`",
    "`\"\\u00e9\\u4e2d\"`",
    "`\"a\\nb\"`",
    "`[1, 2, \"a\"]`",
    "`[3, 1, 2]`",
    "`[\"b\", \"a\"]`",
    "`[]`",
    "`{}`",
    "`{\"a\": 1, \"b\": [true, null]}`",
    "`true`",
    "`false`",
    "`null`",
    "'raw'",
    "''",
    "'it''s'",
    "`[1e400, 1]`",
    "`[0.5, 1e300]`",
];

const FUNCTIONS: &[(&str, usize)] = &[
    ("length", 1),
    ("keys", 1),
    ("values", 1),
    ("type", 1),
    ("to_string", 1),
    ("to_number", 1),
    ("to_array", 1),
    ("sort", 1),
    ("reverse", 1),
    ("max", 1),
    ("min", 1),
    ("sum", 1),
    ("avg", 1),
    ("abs", 1),
    ("ceil", 1),
    ("floor", 1),
    ("not_null", 2),
    ("join", 2),
    ("contains", 2),
    ("starts_with", 2),
    ("ends_with", 2),
    ("merge", 2),
    ("map", 2),
    ("sort_by", 2),
    ("max_by", 2),
    ("min_by", 2),
];

/// A query for a document with these member names (top level first).
pub fn query(d: &mut Draw, fields: &[&str]) -> String {
    let q = expr(d, fields, 3);
    if d.chance(6) {
        d.tag("query syntax error");
        return break_syntax(d, &q);
    }
    q
}

fn expr(d: &mut Draw, fields: &[&str], depth: u32) -> String {
    if depth == 0 {
        return leaf(d, fields);
    }
    let sub = depth - 1;
    match d.rng.below(17) {
        0..=2 => leaf(d, fields),
        3 => format!("{}.{}", expr(d, fields, sub), name(d, fields)),
        4 => format!(
            "{}[{}]",
            expr(d, fields, sub),
            d.pick(&["0", "-1", "1", "*", ""])
        ),
        5 => format!(
            "{}[{}]",
            expr(d, fields, sub),
            d.pick(&["::-1", "1:", ":2", "::2", "0:0", "-1:", "::0"])
        ),
        6 => format!("{}.*", expr(d, fields, sub)),
        7 => format!("{}[?{}]", expr(d, fields, sub), comparison(d, fields, sub)),
        8 => format!("[{}, {}]", expr(d, fields, sub), expr(d, fields, sub)),
        9 => format!(
            "{{{}: {}, {}: {}}}",
            d.pick(&["a", "b", "token", "\"x y\""]),
            expr(d, fields, sub),
            d.pick(&["c", "kind", "n"]),
            expr(d, fields, sub)
        ),
        10 | 11 => call(d, fields, sub),
        12 => comparison(d, fields, sub),
        13 => format!(
            "{} {} {}",
            expr(d, fields, sub),
            d.pick(&["&&", "||"]),
            expr(d, fields, sub)
        ),
        14 => format!("!{}", expr(d, fields, sub)),
        15 => format!("{} | {}", expr(d, fields, sub), expr(d, fields, sub)),
        _ => format!("({})", expr(d, fields, sub)),
    }
}

fn leaf(d: &mut Draw, fields: &[&str]) -> String {
    match d.rng.below(10) {
        0..=3 => name(d, fields),
        4 => format!("{}.{}", name(d, fields), name(d, fields)),
        5 => "@".into(),
        6..=8 => d.pick(LITERALS).to_string(),
        _ => d
            .pick(&["*", "[]", "[*]", "values(@)", "keys(@)"])
            .to_string(),
    }
}

fn name(d: &mut Draw, fields: &[&str]) -> String {
    if d.chance(75) {
        d.pick(fields).to_string()
    } else {
        d.pick(&[
            "missing",
            "\"status\"",
            "\"a b\"",
            "Status",
            "_x",
            "\"\\u00e9\"",
        ])
        .to_string()
    }
}

fn comparison(d: &mut Draw, fields: &[&str], depth: u32) -> String {
    format!(
        "{} {} {}",
        expr(d, fields, depth),
        d.pick(&["==", "!=", "<", "<=", ">", ">="]),
        expr(d, fields, depth)
    )
}

fn call(d: &mut Draw, fields: &[&str], depth: u32) -> String {
    let (f, arity) = d.pick(FUNCTIONS);
    // Now and then the wrong number of arguments or an unknown function.
    let arity = if d.chance(5) {
        arity + 1
    } else if d.chance(3) {
        arity.saturating_sub(1)
    } else {
        arity
    };
    let f = if d.chance(2) { "no_such_function" } else { f };
    let mut args: Vec<String> = Vec::new();
    for i in 0..arity {
        // The expression-reference argument of map, sort_by, max_by, min_by.
        let by = matches!(f, "map" | "sort_by" | "max_by" | "min_by");
        if by && i == 0 && d.chance(80) {
            args.push(format!("&{}", expr(d, fields, depth)));
        } else {
            args.push(expr(d, fields, depth));
        }
    }
    if matches!(f, "sort_by" | "max_by" | "min_by") {
        args.reverse();
    }
    format!("{f}({})", args.join(", "))
}

/// Damages a valid expression.
fn break_syntax(d: &mut Draw, q: &str) -> String {
    match d.rng.below(7) {
        0 => format!("{q}]"),
        1 => format!("{q}."),
        2 => format!("[{q}"),
        3 => format!("{q} #"),
        4 => format!("`{q}"),
        5 => format!("{q} {q}"),
        _ => {
            let mut s = q.to_owned();
            if !s.is_empty() {
                let cut = d.rng.below(s.len());
                if s.is_char_boundary(cut) {
                    s.truncate(cut);
                }
            }
            s
        }
    }
}
