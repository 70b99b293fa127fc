//! How deep python-jmespath may recurse inside the AWS CLI before Python's recursion limit
//! stops it.

/// Python's default recursion limit. Deeply nested expressions fail in the CLI with a
/// RecursionError once the interpreter's stack passes it; we count the frames
/// python-jmespath would use and fail at the same point, which also keeps our own
/// recursion bounded on hostile input.
pub const RECURSION_LIMIT: usize = 1000;
pub const RECURSION_ERROR: &str = "maximum recursion depth exceeded";

/// Python stack depth of python-jmespath's first `Parser._expression` frame when the AWS
/// CLI compiles `--query` (aws script, `clidriver.main`, the driver, the
/// `top-level-args-parsed` event emission, `_resolve_query`, `jmespath.compile`,
/// `Parser.parse`, `_do_parse`, `_parse`): an estimate from the CLI's source.
pub const COMPILE_FIRST_FRAME: usize = 22;

/// Python stack depth of the first `TreeInterpreter.visit` frame when the CLI applies
/// the query (driver, get-token's `_run_main`, the formatter, `ParsedResult.search`):
/// an estimate from the CLI's source.
pub const SEARCH_FIRST_FRAME: usize = 15;
