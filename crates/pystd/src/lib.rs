//! What Python's standard library does, where the AWS CLI's output shows it: `repr()`,
//! `json.loads`/`json.dumps`, `str` whitespace and newlines, `int()`/`float()`, `OSError`
//! texts, `shlex.split`, `urllib.parse`, `http.client` reason phrases, `difflib` and the
//! `unicodedata` tables. A leaf: it knows nothing of the AWS CLI, and every other part of
//! aws-eks-token (and the JMESPath crate) uses it instead of writing these again.

pub mod difflib;
pub mod http;
pub mod json;
pub mod number;
pub mod os_error;
pub mod repr;
pub mod shlex;
pub mod text;
pub mod unicode;
pub mod url;
