//! Text as typed with a Chinese input method: full-width forms of ASCII.

/// The ASCII form of a full-width character (U+FF01–U+FF5E: `１`, `：`, `，`, `～`…) and of the
/// ideographic space; any other character unchanged.
#[must_use]
pub(crate) fn halfwidth(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        c => c,
    }
}
