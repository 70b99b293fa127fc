//! Where Python stops and where we stop.
//!
//! Python has no limit on input size or merge-key expansion, only on recursion depth
//! (`sys.getrecursionlimit()`, 1000 frames, counted from wherever the CLI is when it loads or
//! dumps). The depths below were measured against AWS CLI v2.36.7 running
//! `eks update-kubeconfig` (nesting `[[…]]`, `- - …`, `{a: {a: …}}`, `a:\n  a: …` and
//! `a: [[…]]`, each the deepest that still works); the frames per level are ruamel's
//! functions on the recursion path. The exact point where Python gives up also depends on the
//! deepest call below the innermost level, so a structure of another shape may fail one
//! level earlier or later than here (see the ignored test `recursion_depth_is_approximate`).

/// Collections nested deeper than this fail while composing (`compose_node` and
/// `compose_{sequence,mapping}_node`: 2 frames a level), for flow and block collections.
pub const COMPOSE_FLOW_DEPTH: usize = 488;
pub const COMPOSE_BLOCK_DEPTH: usize = 486;

/// Frames the constructor may use below `construct_document`: 4 a mapping level
/// (`construct_object`, `construct_non_recursive_object`, `_ordered_constructor`,
/// `construct_pairs`), 2 for the innermost scalar; 244 nested mappings work, 245 do not.
/// Sequences are filled later by generators, at the top, so they reset the count.
pub const CONSTRUCT_FRAMES: usize = 978;

/// Frames the representer may use when dumping: 3 a level (`represent_data`, the type's
/// representer, `represent_{sequence,mapping}`), 3 for a scalar, 1 more for a key; 327
/// nested collections work, 328 do not.
pub const REPRESENT_FRAMES: usize = 982;

/// Ours, not Python's: entries that merge keys (`<<`) may copy, in all. Python copies them
/// without limit, so a few nested merges of merges take exponential time and memory.
pub const MERGED_ENTRIES: usize = 1_000_000;

/// Ours, not Python's: the largest input we read (64 MiB). Python would read any size.
pub const MAX_INPUT_BYTES: usize = 64 << 20;
