//! The Python objects the CLI's loader builds, in an arena so that object identity (which
//! decides anchors and aliases when dumping) and cycles (`&a [*a]`) need no reference
//! counting.
//!
//! | YAML (safe constructor + the CLI's ordered mapping) | Python        | here              |
//! |------------------------------------------------------|---------------|-------------------|
//! | null, bool, int, float, str, binary                  | None, bool, int, float, str, bytes | [`Value`] |
//! | sequence (`!!seq`)                                   | list          | [`Obj::Seq`]      |
//! | mapping (`!!map`)                                    | OrderedDict   | [`Obj::Map`]      |
//! | `!!omap`                                             | ruamel's ordereddict | [`Obj::Omap`] |
//! | `!!set`                                              | set           | [`Obj::Set`]      |
//! | `!!pairs` items, list keys of a set                  | tuple         | [`Obj::Tuple`]    |
//! | timestamp                                            | date / datetime | [`Obj::Date`], [`Obj::DateTime`] |

use std::collections::HashMap;

use crate::int::Int;

/// An index into [`Doc::objs`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjId(pub usize);

/// A value; containers and timestamps live in the arena, since their identity matters.
#[derive(Clone, Debug)]
pub enum Value {
    Null,
    Bool(bool),
    Int(Int),
    /// A float; for NaN the second field tells NaN objects apart (Python compares dict keys
    /// by identity first): 0 is the safe constructor's shared `nan_value`, others are fresh.
    Float(f64, u32),
    Str(String),
    Bytes(Vec<u8>),
    Obj(ObjId),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn obj(&self) -> Option<ObjId> {
        match self {
            Value::Obj(id) => Some(*id),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTime {
    pub date: Date,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micro: u32,
    /// UTC offset in seconds, if aware.
    pub offset: Option<i32>,
    /// The timezone's name as ruamel gives it (`Z`, `+05:30`): only `repr()` shows it.
    pub tz_name: Option<String>,
}

#[derive(Clone, Debug)]
pub enum Obj {
    Seq(Vec<Value>),
    /// An `OrderedDict`: dumped in its order.
    Map(Map),
    /// A plain `dict`: the safe representer sorts its keys (where Python can compare them).
    Dict(Map),
    Omap(Map),
    Set(Map),
    Tuple(Vec<Value>),
    Date(Date),
    DateTime(DateTime),
}

/// An insertion-ordered dict: Python's semantics for equal keys (the first key object stays,
/// in its place; the value is replaced).
#[derive(Clone, Debug, Default)]
pub struct Map {
    entries: Vec<(Value, Value)>,
    index: HashMap<Key, usize>,
}

impl Map {
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn entries(&self) -> &[(Value, Value)] {
        &self.entries
    }
    /// `d[key] = value` with `key`'s hash key computed by [`Doc::key`].
    pub fn insert_keyed(&mut self, key: Key, k: Value, v: Value) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = v,
            None => {
                self.index.insert(key, self.entries.len());
                self.entries.push((k, v));
            }
        }
    }
    pub fn get_keyed(&self, key: &Key) -> Option<&Value> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }
    pub fn contains(&self, key: &Key) -> bool {
        self.index.contains_key(key)
    }
    /// The value for a str key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.get_keyed(&Key::Str(key.to_string()))
    }
    /// `d[key] = value` for a str key.
    pub fn set(&mut self, key: &str, v: Value) {
        self.insert_keyed(Key::Str(key.to_string()), Value::str(key), v);
    }
}

/// What Python's dict hashing and equality see of a key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    None,
    /// bool, int and integral floats (`1 == 1.0 == True`).
    Int(Int),
    /// Other finite floats and infinities, by bits (`-0.0` is the integer 0).
    Float(u64),
    /// A NaN: equal only to itself (see [`Value::Float`]).
    Nan(u32),
    Str(String),
    Bytes(Vec<u8>),
    Date(Date),
    /// A naive datetime: its fields.
    Naive(i64),
    /// An aware datetime: its UTC instant (aware and naive are never equal).
    Aware(i64),
    Tuple(Vec<Key>),
}

/// A document: the root value and every object it reaches.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub objs: Vec<Obj>,
    pub root: Option<Value>,
}

impl Doc {
    pub fn new() -> Doc {
        Doc::default()
    }
    pub fn add(&mut self, o: Obj) -> Value {
        self.objs.push(o);
        Value::Obj(ObjId(self.objs.len() - 1))
    }
    pub fn get(&self, id: ObjId) -> &Obj {
        &self.objs[id.0]
    }
    pub fn get_mut(&mut self, id: ObjId) -> &mut Obj {
        &mut self.objs[id.0]
    }
    /// The mapping behind `v` (an OrderedDict or ordereddict), if it is one.
    pub fn map(&self, v: &Value) -> Option<&Map> {
        match self.get(v.obj()?) {
            Obj::Map(m) | Obj::Omap(m) | Obj::Dict(m) => Some(m),
            _ => None,
        }
    }
    pub fn map_mut(&mut self, v: &Value) -> Option<&mut Map> {
        match self.get_mut(v.obj()?) {
            Obj::Map(m) | Obj::Omap(m) | Obj::Dict(m) => Some(m),
            _ => None,
        }
    }
    pub fn seq(&self, v: &Value) -> Option<&Vec<Value>> {
        match self.get(v.obj()?) {
            Obj::Seq(s) => Some(s),
            _ => None,
        }
    }
    pub fn seq_mut(&mut self, v: &Value) -> Option<&mut Vec<Value>> {
        match self.get_mut(v.obj()?) {
            Obj::Seq(s) => Some(s),
            _ => None,
        }
    }
    /// A new OrderedDict of str keys.
    pub fn new_map(&mut self, entries: Vec<(&str, Value)>) -> Value {
        let mut m = Map::default();
        for (k, v) in entries {
            m.set(k, v);
        }
        self.add(Obj::Map(m))
    }
    pub fn new_seq(&mut self, items: Vec<Value>) -> Value {
        self.add(Obj::Seq(items))
    }

    /// The key Python's dict would hash `v` under, or the `TypeError` text for an
    /// unhashable one.
    pub fn key(&self, v: &Value) -> Result<Key, String> {
        Ok(match v {
            Value::Null => Key::None,
            Value::Bool(b) => Key::Int(Int::from_i64(*b as i64)),
            Value::Int(i) => Key::Int(i.clone()),
            Value::Float(f, id) => {
                if f.is_nan() {
                    Key::Nan(*id)
                } else if let Some(i) = Int::from_f64(*f) {
                    Key::Int(i)
                } else {
                    Key::Float(f.to_bits())
                }
            }
            Value::Str(s) => Key::Str(s.clone()),
            Value::Bytes(b) => Key::Bytes(b.clone()),
            Value::Obj(id) => match self.get(*id) {
                Obj::Date(d) => Key::Date(*d),
                Obj::DateTime(dt) => match dt.offset {
                    None => Key::Naive(dt.micros_since_epoch()),
                    Some(off) => Key::Aware(dt.micros_since_epoch() - off as i64 * 1_000_000),
                },
                Obj::Tuple(items) => {
                    let mut keys = Vec::with_capacity(items.len());
                    for it in items {
                        keys.push(self.key(it)?);
                    }
                    Key::Tuple(keys)
                }
                other => return Err(format!("unhashable type: '{}'", unhashable_name(other))),
            },
        })
    }

    /// Python's `type(v)` as `str(type(v))` prints it: `<class 'str'>`.
    pub fn type_repr(&self, v: &Value) -> String {
        format!("<class '{}'>", self.type_name(v))
    }

    pub fn type_name(&self, v: &Value) -> &'static str {
        match v {
            Value::Null => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(..) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Obj(id) => match self.get(*id) {
                Obj::Seq(_) => "list",
                Obj::Map(_) => "collections.OrderedDict",
                Obj::Dict(_) => "dict",
                Obj::Omap(_) => "ruamel.yaml.compat.ordereddict",
                Obj::Set(_) => "set",
                Obj::Tuple(_) => "tuple",
                Obj::Date(_) => "datetime.date",
                Obj::DateTime(_) => "datetime.datetime",
            },
        }
    }

    /// `isinstance(v, dict)` (OrderedDict and ruamel's ordereddict are dicts).
    pub fn is_dict(&self, v: &Value) -> bool {
        matches!(v, Value::Obj(id) if matches!(self.get(*id), Obj::Map(_) | Obj::Omap(_) | Obj::Dict(_)))
    }
}

fn unhashable_name(o: &Obj) -> &'static str {
    match o {
        Obj::Seq(_) => "list",
        Obj::Map(_) => "collections.OrderedDict",
        Obj::Dict(_) => "dict",
        Obj::Omap(_) => "ordereddict",
        Obj::Set(_) => "set",
        _ => "object",
    }
}

/// Days from 0001-01-01 (proleptic Gregorian) to `d`.
fn days_from_civil(d: &Date) -> i64 {
    let y = d.year as i64 - i64::from(d.month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = d.month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d.day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe
}

impl DateTime {
    pub fn micros_since_epoch(&self) -> i64 {
        let days = days_from_civil(&self.date);
        ((days * 86400 + self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64)
            * 1_000_000)
            + self.micro as i64
    }
}

pub(crate) fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

pub(crate) fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

impl Date {
    /// `date.isoformat()`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
    /// The day after.
    pub(crate) fn succ(&self) -> Option<Date> {
        let mut d = *self;
        if d.day < days_in_month(d.year, d.month) {
            d.day += 1;
        } else if d.month < 12 {
            d.month += 1;
            d.day = 1;
        } else {
            if d.year >= 9999 {
                return None;
            }
            d.year += 1;
            d.month = 1;
            d.day = 1;
        }
        Some(d)
    }
}

impl DateTime {
    /// `datetime.isoformat(' ')`.
    pub fn iso(&self) -> String {
        let mut s = format!(
            "{} {:02}:{:02}:{:02}",
            self.date.iso(),
            self.hour,
            self.minute,
            self.second
        );
        if self.micro != 0 {
            s.push_str(&format!(".{:06}", self.micro));
        }
        if let Some(off) = self.offset {
            let sign = if off < 0 { '-' } else { '+' };
            let a = off.unsigned_abs();
            s.push_str(&format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60));
            if a % 60 != 0 {
                s.push_str(&format!(":{:02}", a % 60));
            }
        }
        s
    }
}

/// How deeply containers nest below `root` (each object counted once; shared ones followed
/// once).
pub(crate) fn nesting(doc: &Doc, root: &Value) -> usize {
    let mut best = 0;
    let mut seen = vec![false; doc.objs.len()];
    let mut stack = vec![(root.clone(), 1usize)];
    while let Some((v, d)) = stack.pop() {
        let Value::Obj(id) = v else { continue };
        if seen[id.0] {
            continue;
        }
        seen[id.0] = true;
        best = best.max(d);
        match doc.get(id) {
            Obj::Seq(items) | Obj::Tuple(items) => {
                stack.extend(items.iter().map(|c| (c.clone(), d + 1)))
            }
            Obj::Map(m) | Obj::Omap(m) | Obj::Dict(m) | Obj::Set(m) => {
                for (k, v) in m.entries() {
                    stack.push((k.clone(), d + 1));
                    stack.push((v.clone(), d + 1));
                }
            }
            Obj::Date(_) | Obj::DateTime(_) => {}
        }
    }
    best
}
