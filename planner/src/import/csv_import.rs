//! The CSV reader: streams the records of the decoded text into the shared header and row rules
//! ([`super::table`]).

use super::table::Tabulator;
use super::{Format, ImportError, ImportOptions, ImportPreview};

fn csv_error(e: &csv::Error) -> ImportError {
    ImportError::Malformed { line: e.position().map(csv::Position::line), message: format!("CSV syntax: {e}") }
}

pub(super) fn preview(text: &str, opts: &ImportOptions) -> Result<ImportPreview, ImportError> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::None).from_reader(text.as_bytes());
    let mut rec = csv::StringRecord::new();
    let mut table = Tabulator::new(opts, true);
    while rdr.read_record(&mut rec).map_err(|e| csv_error(&e))? {
        let line = rec.position().map_or(0, csv::Position::line);
        let cells: Vec<(usize, &str)> = rec.iter().enumerate().collect();
        table.push(line, rec.len(), &cells, &[])?;
    }
    table.finish(Format::Csv, None)
}

#[cfg(test)]
#[path = "csv_import_tests.rs"]
mod tests;
