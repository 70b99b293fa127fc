//! Python's `int`, as far as the safe constructor needs it: any size, parsed from base 2, 8,
//! 10 or 16, written back with `str()` (which refuses more than 4300 digits, as Python 3.13
//! does by default).

/// Python's default `sys.get_int_max_str_digits()`.
pub const MAX_STR_DIGITS: usize = 4300;

/// An integer of any size: sign and magnitude in base 2^32 limbs (least significant first,
/// no trailing zero limbs; zero is empty and never negative).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Int {
    neg: bool,
    mag: Vec<u32>,
}

impl Int {
    pub fn zero() -> Int {
        Int::default()
    }

    pub fn from_i64(v: i64) -> Int {
        let mut mag = Vec::new();
        let mut u = v.unsigned_abs();
        while u > 0 {
            mag.push(u as u32);
            u >>= 32;
        }
        Int { neg: v < 0, mag }
    }

    pub fn is_zero(&self) -> bool {
        self.mag.is_empty()
    }

    pub fn negate(mut self) -> Int {
        if !self.is_zero() {
            self.neg = !self.neg;
        }
        self
    }

    /// Digits (ASCII, valid for `radix`, at least one) to a magnitude.
    pub fn from_digits(digits: &str, radix: u32) -> Int {
        let mut mag: Vec<u32> = Vec::new();
        for c in digits.chars() {
            let d = c.to_digit(radix).unwrap_or(0);
            let mut carry = d as u64;
            for limb in mag.iter_mut() {
                let v = *limb as u64 * radix as u64 + carry;
                *limb = v as u32;
                carry = v >> 32;
            }
            if carry > 0 {
                mag.push(carry as u32);
            }
        }
        Int { neg: false, mag }
    }

    /// `str(self)`; `None` past Python's 4300-digit limit.
    pub fn to_decimal(&self) -> Option<String> {
        if self.is_zero() {
            return Some("0".into());
        }
        // 32 bits are at least 9.6 decimal digits: a quick bound before the division loop.
        if self.mag.len() > MAX_STR_DIGITS / 9 + 2 {
            return None;
        }
        let mut mag = self.mag.clone();
        let mut chunks: Vec<u32> = Vec::new(); // base 1e9, least significant first
        while !mag.is_empty() {
            let mut rem: u64 = 0;
            for limb in mag.iter_mut().rev() {
                let v = (rem << 32) | *limb as u64;
                *limb = (v / 1_000_000_000) as u32;
                rem = v % 1_000_000_000;
            }
            while mag.last() == Some(&0) {
                mag.pop();
            }
            chunks.push(rem as u32);
        }
        let mut s = String::new();
        if self.neg {
            s.push('-');
        }
        let mut it = chunks.iter().rev();
        if let Some(first) = it.next() {
            s.push_str(&first.to_string());
        }
        for c in it {
            s.push_str(&format!("{c:09}"));
        }
        let digits = s.len() - usize::from(self.neg);
        (digits <= MAX_STR_DIGITS).then_some(s)
    }

    /// The value as an f64 if it is exactly representable (for comparing with floats).
    pub fn to_f64_exact(&self) -> Option<f64> {
        if self.mag.len() > 32 {
            return None;
        }
        let mut f = 0f64;
        for limb in self.mag.iter().rev() {
            f = f * 4294967296.0 + *limb as f64;
        }
        let back = Int::from_f64(f)?;
        let back = if self.neg { back.negate() } else { back };
        (back == *self).then_some(if self.neg { -f } else { f })
    }

    /// An integral, finite float as an Int.
    pub fn from_f64(f: f64) -> Option<Int> {
        if !f.is_finite() || f.fract() != 0.0 {
            return None;
        }
        let neg = f < 0.0;
        let mut a = f.abs();
        let mut mag = Vec::new();
        let mut scale = 1f64;
        // Collect limbs from the least significant end.
        while a >= scale * 4294967296.0 {
            scale *= 4294967296.0;
        }
        let mut limbs_rev = Vec::new();
        loop {
            let q = (a / scale).floor();
            limbs_rev.push(q as u32);
            a -= q * scale;
            if scale == 1.0 {
                break;
            }
            scale /= 4294967296.0;
        }
        for l in limbs_rev.into_iter().rev() {
            mag.push(l);
        }
        while mag.last() == Some(&0) {
            mag.pop();
        }
        let r = Int { neg: false, mag };
        Some(if neg { r.negate() } else { r })
    }

    pub fn is_negative(&self) -> bool {
        self.neg
    }

    /// Compare with another Int.
    pub fn cmp_int(&self, other: &Int) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match (self.neg, other.neg) {
            (false, true) => return Greater,
            (true, false) => return Less,
            _ => {}
        }
        let mag = self
            .mag
            .len()
            .cmp(&other.mag.len())
            .then_with(|| self.mag.iter().rev().cmp(other.mag.iter().rev()));
        if self.neg {
            mag.reverse()
        } else {
            mag
        }
    }

    /// As an f64 (rounded), for ordering against floats.
    pub fn approx_f64(&self) -> f64 {
        let mut f = 0f64;
        for limb in self.mag.iter().rev() {
            f = f * 4294967296.0 + *limb as f64;
        }
        if self.neg {
            -f
        } else {
            f
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_and_decimal() {
        assert_eq!(Int::from_digits("ff", 16).to_decimal().unwrap(), "255");
        assert_eq!(Int::from_digits("17", 8).to_decimal().unwrap(), "15");
        assert_eq!(Int::from_digits("101", 2).to_decimal().unwrap(), "5");
        let big = "123456789012345678901234567890123456789";
        assert_eq!(Int::from_digits(big, 10).to_decimal().unwrap(), big);
        assert_eq!(
            Int::from_digits("42", 10).negate().to_decimal().unwrap(),
            "-42"
        );
        assert!(Int::from_digits(&"9".repeat(4301), 10)
            .to_decimal()
            .is_none());
        assert!(Int::from_digits(&"9".repeat(4300), 10)
            .to_decimal()
            .is_some());
    }

    #[test]
    fn floats() {
        assert_eq!(
            Int::from_f64(1e20).unwrap().to_decimal().unwrap(),
            "100000000000000000000"
        );
        assert_eq!(Int::from_i64(-5).to_f64_exact(), Some(-5.0));
        assert_eq!(
            Int::from_digits("9007199254740993", 10).to_f64_exact(),
            None
        );
    }
}
