//! Spreadsheet-safe text cells: the quoting that keeps a spreadsheet from running a CSV value as a
//! formula (CSV injection, OWASP), and its exact inverse.
//!
//! Station exports ([`crate::export::to_csv`]) and analysis tables quote with [`spreadsheet_text`];
//! the CSV importer ([`crate::import`]) removes the quoting with [`spreadsheet_unquote`], so an
//! exported file re-imports to the same values.

/// First characters that make a spreadsheet read a cell as a formula (CSV injection, OWASP).
pub const FORMULA_PREFIXES: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// `s` made safe for a spreadsheet: a value that starts with a [`FORMULA_PREFIXES`] character gets
/// a leading `'` (which Excel and LibreOffice read as "text"). So that [`spreadsheet_unquote`]
/// restores every value exactly, a value that already starts with `'` followed by such a character
/// or another `'` is quoted too.
#[must_use]
pub fn spreadsheet_text(s: &str) -> String {
    if s.starts_with(FORMULA_PREFIXES) || s.strip_prefix('\'').is_some_and(looks_quoted) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

/// The inverse of [`spreadsheet_text`], applied to every CSV cell on import.
#[must_use]
pub fn spreadsheet_unquote(s: &str) -> &str {
    s.strip_prefix('\'').filter(|r| looks_quoted(r)).unwrap_or(s)
}

fn looks_quoted(rest: &str) -> bool {
    rest.starts_with(FORMULA_PREFIXES) || rest.starts_with('\'')
}

#[cfg(test)]
#[path = "spreadsheet_tests.rs"]
mod tests;
