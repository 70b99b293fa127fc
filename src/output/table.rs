//! `--output table`: a port of the AWS CLI's `TableFormatter` (awscli/formatter.py) and
//! `MultiTable` (awscli/table.py), spec §2.3.
//!
//! The value is first turned into sections (title, optional header row, rows of cells), then
//! rendered at a width that fits the widest section. Where the CLI crashes on odd shapes
//! (Python exceptions inside its table builder) the same message comes back as `Err`; the CLI
//! builds the whole table before printing, so a crash prints nothing.

use std::cmp::Ordering;

use pystd::json::Value;

use super::text::{is_scalar, py_str, too_deep, MAX_DEPTH};
use pystd::unicode::char_width;

/// How table output is coloured (`--color`, spec §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableColor {
    /// Plain text (`--color off`, or `auto` when stdout is not a terminal).
    Off,
    /// colorama's styles on cells and indentation bars, and `ESC[0m` after every write call:
    /// colorama wraps `sys.stdout` with autoreset, which is where get-token's table goes.
    On,
    /// The styles without the autoreset resets: a stream colorama did not wrap. The CLI's
    /// error tables go to the stderr object it held before the styler was created
    /// (awscli/errorhandler.py), so `--color on` styles them without resets (derived from the
    /// source; not recorded in a golden case).
    OnWithoutAutoreset,
}

/// The CLI's table output of `value` (after `--query`) with the outermost section titled
/// `title` (`get-token`, or `error` for error tables), for a terminal `terminal_width` columns
/// wide (80 when stdout is not a terminal). `color` is `--color on` on stdout (see
/// [`TableColor::On`]). Falsy values (null, false, 0, "", [], {}) print nothing.
/// `Err` is the message of the Python exception the CLI dies with (rc 255).
pub fn format_table(
    value: &Value,
    title: &str,
    terminal_width: usize,
    color: bool,
) -> Result<String, String> {
    let color = if color {
        TableColor::On
    } else {
        TableColor::Off
    };
    format_table_with(value, title, terminal_width, color)
}

/// [`format_table`] with every colour mode.
pub fn format_table_with(
    value: &Value,
    title: &str,
    terminal_width: usize,
    color: TableColor,
) -> Result<String, String> {
    let mut table = Builder::default();
    if !table.build(Some(title), value, 0, 0)? {
        return Ok(String::new());
    }
    render(table.sections, terminal_width, color)
}

// ---------------------------------------------------------------------------------------------
// Building sections (TableFormatter._build_table and friends).

/// A column key as the CLI collects it. Dict keys are strings; when a list of dicts also holds
/// lists, the CLI "collects keys" of those lists by indexing them with their own elements,
/// which yields ints (or crashes). Such tables always crash later, but which message wins
/// depends on these keys.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    Str(String),
    /// An int index (bools are ints in Python: `True == 1`).
    Int(i64),
}

impl Key {
    fn text(&self) -> String {
        match self {
            Key::Str(s) => s.clone(),
            Key::Int(i) => i.to_string(),
        }
    }
}

/// One section of a `MultiTable` (awscli/table.py `Section`).
#[derive(Default)]
struct Section {
    /// `None` is Python's `None` title of a section started while building a list inside a list;
    /// it is not printed but measures as the 4 columns of "None".
    title: Option<String>,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent: usize,
    num_cols: Option<usize>,
    max_widths: Vec<usize>,
}

impl Section {
    fn new(title: Option<&str>, indent: usize) -> Self {
        Section {
            title: title.map(str::to_string),
            indent,
            ..Section::default()
        }
    }

    fn add_header(&mut self, headers: Vec<String>) -> Result<(), String> {
        self.update_max_widths(&headers)?;
        self.num_cols.get_or_insert(headers.len());
        self.headers = headers;
        Ok(())
    }

    fn add_row(&mut self, row: Vec<String>) -> Result<(), String> {
        let num_cols = *self.num_cols.get_or_insert(row.len());
        if row.len() != num_cols {
            return Err(format!(
                "Row should have {num_cols} elements, instead it has {}",
                row.len()
            ));
        }
        self.update_max_widths(&row)?;
        self.rows.push(row);
        Ok(())
    }

    /// The first header/row sets the column widths; later ones may only widen them, and the CLI
    /// indexes past the end (IndexError) when a later one is longer.
    fn update_max_widths(&mut self, row: &[String]) -> Result<(), String> {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|s| text_width(s)).collect();
            return Ok(());
        }
        for (i, cell) in row.iter().enumerate() {
            let w = self
                .max_widths
                .get_mut(i)
                .ok_or_else(|| "list index out of range".to_string())?;
            *w = (*w).max(text_width(cell));
        }
        Ok(())
    }

    /// `Section.total_width(padding=4, with_border=True, outer_padding=indent)`.
    fn total_width(&self) -> usize {
        let outer = 2 * self.indent;
        let columns: usize = self.max_widths.iter().map(|w| w + 4).sum::<usize>() + 2 + outer;
        let title = self.title.as_deref().map_or(4, text_width) + 2 + outer;
        columns.max(title)
    }

    /// `Section.calculate_column_widths(padding=4, max_width)`: the natural widths scaled to
    /// fill `max_width`, rounded half-to-even like Python's `round()`, then nudged by one column
    /// at a time (from the left when too wide, from the right when too narrow) to sum exactly.
    fn column_widths(&self, max_width: usize) -> Vec<i64> {
        let unscaled: Vec<usize> = self.max_widths.iter().map(|w| w + 4).collect();
        if unscaled.is_empty() {
            return Vec::new();
        }
        let factor = max_width as f64 / unscaled.iter().sum::<usize>() as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|&w| (factor * w as f64).round_ties_even() as i64)
            .collect();
        let mut off_by = scaled.iter().sum::<i64>() - max_width as i64;
        while off_by != 0 {
            let order: Vec<usize> = if off_by > 0 {
                (0..scaled.len()).collect()
            } else {
                (0..scaled.len()).rev().collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled
    }
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
}

impl Builder {
    fn new_section(&mut self, title: Option<&str>, indent: usize) {
        self.sections.push(Section::new(title, indent));
    }

    /// Rows always go to the newest section (the CLI's "current section").
    fn current(&mut self) -> &mut Section {
        if self.sections.is_empty() {
            // Unreachable: the outermost call always opens a titled section first.
            self.sections.push(Section::default());
        }
        let last = self.sections.len() - 1;
        &mut self.sections[last]
    }

    /// `_build_table`: returns false (and adds nothing) for falsy values.
    fn build(
        &mut self,
        title: Option<&str>,
        value: &Value,
        indent: usize,
        depth: usize,
    ) -> Result<bool, String> {
        if depth > MAX_DEPTH {
            return Err(too_deep());
        }
        if !is_truthy(value) {
            return Ok(false);
        }
        if title.is_some() {
            self.new_section(title, indent);
        }
        match value {
            Value::List(items) if items.first().is_some_and(Value::is_dict) => {
                self.sub_table_from_list(items, indent, title, depth)?;
            }
            Value::List(items) => {
                for item in items {
                    match item {
                        // A dict iterates over its keys, which are all scalars: a row of keys.
                        Value::Dict(map) => self
                            .current()
                            .add_row(map.iter().map(|(k, _)| k.clone()).collect())?,
                        Value::List(inner) if inner.iter().all(is_scalar) => {
                            self.current().add_row(inner.iter().map(py_str).collect())?
                        }
                        // A list holding containers continues in the same section, at indent 0.
                        Value::List(_) => {
                            self.build(None, item, 0, depth + 1)?;
                        }
                        scalar => self.current().add_row(vec![py_str(scalar)])?,
                    }
                }
            }
            Value::Dict(map) => self.sub_table_from_dict(map, indent, depth)?,
            _ => {}
        }
        Ok(true)
    }

    /// A dict: its scalar keys as one header row plus one value row (a single scalar key
    /// becomes a key/value row), then a nested section per list/dict value, sorted by key.
    fn sub_table_from_dict(
        &mut self,
        map: &[(String, Value)],
        indent: usize,
        depth: usize,
    ) -> Result<(), String> {
        let (headers, more) = group_dict_keys(map);
        if let [(key, value)] = headers.as_slice() {
            self.current()
                .add_row(vec![key.to_string(), py_str(value)])?;
        } else if !headers.is_empty() {
            self.current()
                .add_header(headers.iter().map(|(k, _)| k.to_string()).collect())?;
            self.current()
                .add_row(headers.iter().map(|(_, v)| py_str(v)).collect())?;
        }
        for (key, value) in more {
            self.build(Some(key), value, indent + 1, depth + 1)?;
        }
        Ok(())
    }

    /// A list whose first element is a dict: one header row of every scalar key, one row per
    /// element; when elements have nested values, each element gets its own section.
    fn sub_table_from_list(
        &mut self,
        items: &[Value],
        indent: usize,
        title: Option<&str>,
        depth: usize,
    ) -> Result<(), String> {
        let mut headers: Vec<Key> = Vec::new();
        let mut more: Vec<Key> = Vec::new();
        for item in items {
            let (h, m) = group_keys(item)?;
            union_into(&mut headers, h);
            union_into(&mut more, m);
        }
        // `sorted(set)` of the keys: a mix of str and int keys cannot be ordered. (Which type
        // Python names first depends on its randomised str hashes; this one is arbitrary.)
        sort_keys(&mut headers)?;
        sort_keys(&mut more)?;
        let header_texts: Vec<String> = headers.iter().map(Key::text).collect();
        self.current().add_header(header_texts.clone())?;
        for (i, item) in items.iter().enumerate() {
            if i > 0 && !more.is_empty() {
                self.new_section(title, indent);
                self.current().add_header(header_texts.clone())?;
            }
            // `[element.get(h, '') for h in headers]`: only a dict has `.get`, but with no
            // headers it is never called, so `[]` and `""` elements pass as empty rows.
            let row = match item {
                Value::Dict(_) => headers
                    .iter()
                    .map(|h| match h {
                        Key::Str(k) => item.get(k).map(py_str).unwrap_or_default(),
                        Key::Int(_) => String::new(),
                    })
                    .collect(),
                _ if headers.is_empty() => Vec::new(),
                _ => {
                    return Err(format!(
                        "'{}' object has no attribute 'get'",
                        item.type_name()
                    ))
                }
            };
            self.current().add_row(row)?;
            for key in &more {
                if let Some(nested) = nested_value(item, key)? {
                    self.build(Some(&key.text()), nested, indent + 1, depth + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// `element[key] if key in element`, for the nested keys of a list of dicts. Elements that are
/// not dicts reach here only as `[]` or `""` (others crash earlier): `key in []` is false, but
/// `"" in ""` is true and then `""[""]` fails.
fn nested_value<'a>(element: &'a Value, key: &Key) -> Result<Option<&'a Value>, String> {
    match (element, key) {
        (Value::Dict(_), Key::Str(k)) => Ok(element.get(k)),
        (Value::Str(s), Key::Str(k)) if s.contains(k.as_str()) => {
            Err("string indices must be integers, not 'str'".into())
        }
        (Value::List(items), Key::Str(k)) if items.iter().any(|v| v.as_str() == Some(k)) => {
            Err("list indices must be integers or slices, not str".into())
        }
        _ => Ok(None),
    }
}

/// Python truthiness: null, false, 0, 0.0, "", [] and {} are false.
fn is_truthy(v: &Value) -> bool {
    v.truthy()
}

/// A dict's entries split like `_group_scalar_keys`: (scalar values, list/dict values), each
/// sorted by key.
type Entries<'a> = Vec<(&'a str, &'a Value)>;

fn group_dict_keys(map: &[(String, Value)]) -> (Entries<'_>, Entries<'_>) {
    let (mut headers, mut more): (Entries<'_>, Entries<'_>) = map
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .partition(|(_, v)| is_scalar(v));
    headers.sort_unstable_by_key(|(k, _)| *k);
    more.sort_unstable_by_key(|(k, _)| *k);
    (headers, more)
}

/// `_group_scalar_keys` of any element of a list of dicts. The CLI does
/// `for k in element: element[k]`, which for a non-dict either crashes or, for a list of
/// in-range ints, yields int keys; each message below is the one Python raises.
fn group_keys(element: &Value) -> Result<(Vec<Key>, Vec<Key>), String> {
    match element {
        Value::Dict(map) => {
            let (h, m) = group_dict_keys(map);
            let keys = |v: Entries<'_>| {
                v.into_iter()
                    .map(|(k, _)| Key::Str(k.to_string()))
                    .collect()
            };
            Ok((keys(h), keys(m)))
        }
        Value::List(list) => {
            let mut headers = Vec::new();
            let mut more = Vec::new();
            for index in list {
                let i = match index {
                    Value::Bool(b) => i64::from(*b),
                    Value::Int(n) => i64::try_from(*n)
                        .map_err(|_| "cannot fit 'int' into an index-sized integer".to_string())?,
                    other => {
                        return Err(format!(
                            "list indices must be integers or slices, not {}",
                            other.type_name()
                        ))
                    }
                };
                // Negative indexes count from the end, as in Python.
                let len = list.len() as i64;
                let pos = if i < 0 { i + len } else { i };
                let target = usize::try_from(pos)
                    .ok()
                    .and_then(|p| list.get(p))
                    .ok_or_else(|| "list index out of range".to_string())?;
                if is_scalar(target) {
                    headers.push(Key::Int(i));
                } else {
                    more.push(Key::Int(i));
                }
            }
            headers.sort_unstable_by(cmp_ints);
            more.sort_unstable_by(cmp_ints);
            Ok((headers, more))
        }
        Value::Str(s) if s.is_empty() => Ok((Vec::new(), Vec::new())),
        Value::Str(_) => Err("string indices must be integers, not 'str'".into()),
        other => Err(format!("'{}' object is not iterable", other.type_name())),
    }
}

fn cmp_ints(a: &Key, b: &Key) -> Ordering {
    match (a, b) {
        (Key::Int(x), Key::Int(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// `set.update`: add the keys not already present (`True == 1` is already folded into `Int`).
fn union_into(set: &mut Vec<Key>, keys: Vec<Key>) {
    for k in keys {
        if !set.contains(&k) {
            set.push(k);
        }
    }
}

fn sort_keys(keys: &mut [Key]) -> Result<(), String> {
    let has_str = keys.iter().any(|k| matches!(k, Key::Str(_)));
    let has_int = keys.iter().any(|k| matches!(k, Key::Int(_)));
    if has_str && has_int {
        return Err("'<' not supported between instances of 'int' and 'str'".into());
    }
    keys.sort_unstable_by(|a, b| match (a, b) {
        (Key::Str(x), Key::Str(y)) => x.cmp(y),
        _ => cmp_ints(a, b),
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Rendering (MultiTable.render).

/// Display width as awscli's `get_text_length` counts it: 2 columns for East_Asian_Width W, F
/// and A (Ambiguous, e.g. `é`), 1 for everything else, including combining marks.
fn text_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

const RESET: &str = "\x1b[0m";

/// The output stream. With colorama's autoreset every `write()` call, even an empty one, is
/// followed by `ESC[0m`, so the number of calls matters.
struct Out {
    buf: String,
    autoreset: bool,
}

impl Out {
    fn write(&mut self, s: &str) {
        self.buf.push_str(s);
        if self.autoreset {
            self.buf.push_str(RESET);
        }
    }

    /// One line through the CLI's `IndentedStream`: four writes (left bars, the line, right
    /// bars, newline).
    fn line(&mut self, bars: &str, text: &str) {
        self.write(bars);
        self.write(text);
        self.write(bars);
        self.write("\n");
    }
}

fn render(
    mut sections: Vec<Section>,
    terminal_width: usize,
    color: TableColor,
) -> Result<String, String> {
    let max_width = |sections: &[Section]| sections.iter().map(Section::total_width).max();
    let mut width = max_width(&sections).unwrap_or(0);
    if width > terminal_width {
        convert_to_vertical(&mut sections)?;
        width = max_width(&sections).unwrap_or(0);
    }
    let styled = color != TableColor::Off;
    let mut out = Out {
        buf: String::new(),
        autoreset: color == TableColor::On,
    };
    out.write(&format!("{}\n", "-".repeat(width)));
    for section in &sections {
        render_section(section, width, styled, &mut out);
    }
    Ok(out.buf)
}

/// Too wide for the terminal: every section holding one row under a header row becomes a
/// two-column section of (header, value) rows.
fn convert_to_vertical(sections: &mut [Section]) -> Result<(), String> {
    for section in sections.iter_mut() {
        if section.rows.len() == 1 && !section.headers.is_empty() {
            let mut vertical = Section::new(section.title.as_deref(), section.indent);
            for (header, cell) in section.headers.iter().zip(&section.rows[0]) {
                vertical.add_row(vec![header.clone(), cell.clone()])?;
            }
            *section = vertical;
        }
    }
    Ok(())
}

fn render_section(section: &Section, width: usize, styled: bool, out: &mut Out) {
    let bar = if styled {
        "\x1b[2m\x1b[33m|\x1b[0m"
    } else {
        "|"
    };
    let bars = bar.repeat(section.indent);
    let width = width.saturating_sub(2 * section.indent);
    if let Some(title) = section.title.as_deref().filter(|t| !t.is_empty()) {
        out.line(
            &bars,
            &center(title, text_width(title), width as i64, "|", "|"),
        );
        if section.headers.is_empty() && section.rows.is_empty() {
            out.line(&bars, &format!("+{}+", dashes(width as i64 - 2)));
        }
    }
    if !section.headers.is_empty() {
        let widths = section.column_widths(width);
        out.line(&bars, &line_break(&widths));
        let mut line = String::new();
        for (i, (w, header)) in widths.iter().zip(&section.headers).enumerate() {
            let left = if i == 0 { "|" } else { "" };
            line.push_str(&center(header, text_width(header), *w, left, "|"));
        }
        out.line(&bars, &line);
    }
    if !section.rows.is_empty() {
        let widths = section.column_widths(width);
        if widths.is_empty() {
            return;
        }
        out.line(&bars, &line_break(&widths));
        for row in &section.rows {
            let mut line = String::new();
            for (i, (w, cell)) in widths.iter().zip(row).enumerate() {
                let left = if i == 0 { "|" } else { "" };
                let shown = if styled {
                    format!("\x1b[1m\x1b[34m{cell}{RESET}")
                } else {
                    cell.clone()
                };
                line.push_str(&align_left(&shown, text_width(cell), *w, left, "|"));
            }
            out.line(&bars, &line);
        }
        out.line(&bars, &line_break(&widths));
    }
}

/// Python's `' ' * n` / `'-' * n`: nothing for n <= 0.
fn spaces(n: i64) -> String {
    " ".repeat(usize::try_from(n).unwrap_or(0))
}

fn dashes(n: i64) -> String {
    "-".repeat(usize::try_from(n).unwrap_or(0))
}

/// `+-----+-----+`: the first column has both corners, the others only their right one.
fn line_break(widths: &[i64]) -> String {
    let mut s = String::new();
    for (i, w) in widths.iter().enumerate() {
        if i == 0 {
            s.push_str(&format!("+{}+", dashes(w - 2)));
        } else {
            s.push_str(&format!("{}+", dashes(w - 1)));
        }
    }
    s
}

/// awscli `center_text`. `text_len` is the display width of the unstyled text. The left
/// padding may come out negative (then no spaces), and still counts in the right padding.
fn center(text: &str, text_len: usize, length: i64, left: &str, right: &str) -> String {
    let text_len = text_len as i64;
    let start = length.div_euclid(2) - text_len.div_euclid(2) - 1;
    let so_far = text_width(left) as i64 + start + text_len;
    let right_spaces = length - text_width(right) as i64 - so_far;
    format!(
        "{left}{}{text}{}{right}",
        spaces(start),
        spaces(right_spaces)
    )
}

/// awscli `align_left`: two spaces of padding when the cell fits, none when it does not (then
/// the row simply overflows).
fn align_left(text: &str, text_len: usize, length: i64, left: &str, right: &str) -> String {
    let text_len = text_len as i64;
    let edges = (left.len() + right.len()) as i64;
    let padding = if length - (text_len + 2 + edges) >= 0 {
        2
    } else {
        0
    };
    let fill = length - (left.len() as i64 + padding + text_len) - right.len() as i64;
    format!("{left}{}{text}{}{right}", spaces(padding), spaces(fill))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(v: serde_json::Value) -> Result<String, String> {
        format_table(&Value::from_serde(&v), "get-token", 80, false)
    }

    #[test]
    fn falsy_values_print_nothing() {
        for v in [
            json!(null),
            json!(0),
            json!(0.0),
            json!(false),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert_eq!(table(v).unwrap(), "");
        }
    }

    #[test]
    fn truthy_scalar_prints_only_the_title() {
        assert_eq!(
            table(json!("x")).unwrap(),
            "-----------\n|get-token|\n+---------+\n"
        );
    }

    #[test]
    fn list_of_scalars() {
        assert_eq!(
            table(json!([
                "ExecCredential",
                "client.authentication.k8s.io/v1beta1"
            ]))
            .unwrap(),
            "------------------------------------------\n\
             |                get-token               |\n\
             +----------------------------------------+\n\
             |  ExecCredential                        |\n\
             |  client.authentication.k8s.io/v1beta1  |\n\
             +----------------------------------------+\n"
        );
    }

    #[test]
    fn colour_adds_styles_and_a_reset_after_every_write() {
        let got = format_table(
            &Value::from_serde(&json!([
                "ExecCredential",
                "client.authentication.k8s.io/v1beta1"
            ])),
            "get-token",
            80,
            true,
        )
        .unwrap();
        assert_eq!(
            got,
            "------------------------------------------\n\x1b[0m\x1b[0m|                get-token               |\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m+----------------------------------------+\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m|  \x1b[1m\x1b[34mExecCredential\x1b[0m                        |\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m|  \x1b[1m\x1b[34mclient.authentication.k8s.io/v1beta1\x1b[0m  |\x1b[0m\x1b[0m\n\x1b[0m\x1b[0m+----------------------------------------+\x1b[0m\x1b[0m\n\x1b[0m"
        );
    }

    #[test]
    fn list_of_dicts_and_nested_sections() {
        assert_eq!(
            table(json!([{"n": "a", "v": 1, "w": "x"}, {"n": "b", "v": 2}])).unwrap(),
            "-----------------\n|   get-token   |\n+---+-----+-----+\n| n |  v  |  w  |\n\
             +---+-----+-----+\n|  a|  1  |  x  |\n|  b|  2  |     |\n+---+-----+-----+\n"
        );
        assert_eq!(
            table(json!({"a": {"b": [1, 2], "c": "d"}, "e": "f"})).unwrap(),
            "--------------\n|  get-token |\n+-----+------+\n|  e  |  f   |\n+-----+------+\n\
             ||     a    ||\n|+----+-----+|\n||  c |  d  ||\n|+----+-----+|\n|||    b   |||\n\
             ||+--------+||\n|||  1     |||\n|||  2     |||\n||+--------+||\n"
        );
    }

    #[test]
    fn ambiguous_width_counts_two() {
        assert_eq!(
            table(json!(["日本語", "é", "plain", "ExecCredential"])).unwrap(),
            "--------------------\n|     get-token    |\n+------------------+\n|  日本語          |\n\
             |  é              |\n|  plain           |\n|  ExecCredential  |\n+------------------+\n"
        );
    }

    #[test]
    fn too_wide_single_row_sections_turn_vertical() {
        let v = json!({"Code": "NoCredentials",
            "Message": "Unable to locate credentials. You can configure credentials by running \"aws login\"."});
        let got = format_table(&Value::from_serde(&v), "error", 80, false).unwrap();
        assert!(got.contains("|  Code   |  NoCredentials "), "{got}");
    }

    #[test]
    fn column_widths_round_half_to_even() {
        let s = Section {
            max_widths: vec![1, 1, 1],
            ..Section::default()
        };
        // 5 columns each, scaled by 17/15: 5.666 -> 6 each, 18 total, one too many.
        assert_eq!(s.column_widths(17), vec![5, 6, 6]);
        let s = Section {
            max_widths: vec![1],
            ..Section::default()
        };
        assert_eq!(s.column_widths(5), vec![5]);
        // 2.5 rounds to 2 in Python.
        let s = Section {
            max_widths: vec![1, 6],
            ..Section::default()
        };
        // unscaled 5, 10; factor 0.5: 2.5 -> 2, 5 -> 5; then off by -0 ... sum 7 == 7.
        assert_eq!(s.column_widths(7), vec![2, 5]);
    }

    #[test]
    fn crashes_match_python() {
        assert_eq!(
            table(json!([1, [1, 2]])),
            Err("Row should have 1 elements, instead it has 2".into())
        );
        assert_eq!(
            table(json!([{"a": 1}, 2])),
            Err("'int' object is not iterable".into())
        );
        assert_eq!(
            table(json!([{"a": 1}, "s"])),
            Err("string indices must be integers, not 'str'".into())
        );
        assert_eq!(
            table(json!([{"a": 1}, [0]])),
            Err("'<' not supported between instances of 'int' and 'str'".into())
        );
        assert_eq!(
            table(json!([{"a": [1]}, [0]])),
            Err("'list' object has no attribute 'get'".into())
        );
        assert_eq!(
            table(json!([{"a": 1}, [5]])),
            Err("list index out of range".into())
        );
        assert_eq!(
            table(json!([{"a": 1}, ["x"]])),
            Err("list indices must be integers or slices, not str".into())
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let mut v = json!({"k": 1});
        for _ in 0..(MAX_DEPTH + 10) {
            v = json!({"k": v});
        }
        assert_eq!(table(v), Err(too_deep()));
    }
}
